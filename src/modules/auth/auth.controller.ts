import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { StrictRateLimit } from '../../infra/http/rate-limit';
import { toUserResponse, UserResponse } from '../users/user.response';
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
  @ApiCreatedResponse({ type: UserResponse })
  async register(@Body() body: RegisterDto): Promise<Pick<UserResponse, 'id' | 'email' | 'name' | 'role'>> {
    const { id, email, name, role } = toUserResponse(await this.auth.register(body));
    return { id, email, name, role };
  }

  @Public()
  @StrictRateLimit()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairResponse })
  login(@Body() body: LoginDto): Promise<TokenPairResponse> {
    return this.auth.login(body.email, body.password);
  }

  @Public()
  @StrictRateLimit()
  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairResponse })
  refresh(@Body() body: RefreshDto): Promise<TokenPairResponse> {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  logout(@CurrentUser() user: AuthUser): Promise<void> {
    return this.auth.logout(user);
  }
}
