import { Body, Controller, HttpCode, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';

import { ApiContract } from '../../infra/http/api-contract';
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
  @ApiContract({
    summary: 'Change the password (signs out the user’s other sessions)',
    errors: { 400: ['WRONG_CURRENT_PASSWORD'] },
  })
  @ApiNoContentResponse({ description: 'changed' })
  change(@CurrentUser() user: AuthUser, @Body() body: ChangePasswordDto): Promise<void> {
    return this.auth.changePassword(user, body);
  }
}
