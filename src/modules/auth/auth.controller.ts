import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';

import { ApiContract } from '../../infra/http/api-contract';
import { StrictRateLimit } from '../../infra/http/rate-limit';
import { RegisteredUserResponse, toUserResponse } from '../users/user.response';
import { CurrentUser, Public } from '../access/access-rules';
import { AuthService } from './auth.service';
import { AuthUser } from '../access/auth-user';
import { LoginDto } from './dto/login.dto';
import { RefreshDto } from './dto/refresh.dto';
import { RegisterDto } from './dto/register.dto';
import { TokenPairResponse } from './token-pair.response';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @StrictRateLimit()
  @Post('register')
  @ApiContract({ summary: 'Sign up as a customer', errors: { 409: ['EMAIL_TAKEN'] } })
  @ApiCreatedResponse({ type: RegisteredUserResponse, description: 'the new account (role customer)' })
  async register(@Body() body: RegisterDto): Promise<RegisteredUserResponse> {
    const { id, email, name, role } = toUserResponse(await this.auth.register(body));
    return { id, email, name, role };
  }

  @Public()
  @StrictRateLimit()
  @Post('login')
  @HttpCode(200)
  @ApiContract({
    summary: 'Sign in with email and password',
    description: 'The same 401 whether or not the email exists.',
    errors: { 401: ['INVALID_CREDENTIALS'] },
  })
  @ApiOkResponse({ type: TokenPairResponse, description: 'a new session' })
  login(@Body() body: LoginDto): Promise<TokenPairResponse> {
    return this.auth.login(body.email, body.password);
  }

  @Public()
  @StrictRateLimit()
  @Post('refresh')
  @HttpCode(200)
  @ApiContract({
    summary: 'Rotate the refresh token for a new token pair',
    description: 'Reusing a rotated refresh token revokes its whole session (REFRESH_TOKEN_REUSED).',
    errors: { 401: ['INVALID_REFRESH_TOKEN', 'REFRESH_TOKEN_REUSED'] },
  })
  @ApiOkResponse({ type: TokenPairResponse, description: 'the rotated pair' })
  refresh(@Body() body: RefreshDto): Promise<TokenPairResponse> {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiContract({ summary: 'Sign out: the access token stops working at once' })
  @ApiNoContentResponse({ description: 'signed out' })
  logout(@CurrentUser() user: AuthUser): Promise<void> {
    return this.auth.logout(user);
  }
}
