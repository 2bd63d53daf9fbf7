import { Body, Controller, HttpCode, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';

import { StrictRateLimit } from '../../infra/http/rate-limit';
import { ChangePasswordDto } from '../users/dto/change-password.dto';
import { CurrentUser } from '../access/access-rules';
import { AuthService } from './auth.service';
import { AuthUser } from '../access/auth-user';

/** Lives in auth because a password change also signs out the user's other sessions. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('users/me/password')
export class PasswordController {
  constructor(private readonly auth: AuthService) {}

  @StrictRateLimit()
  @Patch()
  @HttpCode(204)
  @ApiNoContentResponse()
  change(@CurrentUser() user: AuthUser, @Body() body: ChangePasswordDto): Promise<void> {
    return this.auth.changePassword(user, body);
  }
}
