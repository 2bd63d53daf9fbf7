import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { CurrentUser } from '../access/access-rules';
import { AuthUser } from '../access/auth-user';
import { UpdateProfileDto } from './dto/update-profile.dto';
import { toUserResponse, UserResponse } from './user.response';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users/me')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOkResponse({ type: UserResponse })
  async me(@CurrentUser() user: AuthUser): Promise<UserResponse> {
    return toUserResponse(await this.users.get(user.id));
  }

  @Patch()
  @ApiOkResponse({ type: UserResponse })
  async update(@CurrentUser() user: AuthUser, @Body() body: UpdateProfileDto): Promise<UserResponse> {
    return toUserResponse(await this.users.updateProfile(user.id, body));
  }
}
