import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { ApiContract } from '../../infra/http/api-contract';
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
  @ApiContract({ summary: 'The signed-in user’s profile', errors: { 404: ['USER_NOT_FOUND'] } })
  @ApiOkResponse({ type: UserResponse, description: 'the profile' })
  async me(@CurrentUser() user: AuthUser): Promise<UserResponse> {
    return toUserResponse(await this.users.get(user.id));
  }

  @Patch()
  @ApiContract({
    summary: 'Update name, email or language',
    errors: { 404: ['USER_NOT_FOUND'], 409: ['EMAIL_TAKEN'] },
  })
  @ApiOkResponse({ type: UserResponse, description: 'the updated profile' })
  async update(@CurrentUser() user: AuthUser, @Body() body: UpdateProfileDto): Promise<UserResponse> {
    return toUserResponse(await this.users.updateProfile(user.id, body));
  }
}
