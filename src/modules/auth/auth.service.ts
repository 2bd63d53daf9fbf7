import { Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { EntityManager } from 'typeorm';

import { AppConfig } from '../../config/app-config';
import { TransactionRunner } from '../../infra/database/transaction-runner';
import { ChangePasswordDto } from '../users/dto/change-password.dto';
import { UserEntity } from '../users/user.entity';
import { Registration, UsersService } from '../users/users.service';
import { AuthSessionsRepository } from './auth-sessions.repository';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { AuthUser } from '../access/auth-user';
import { AccessTokenClaims } from './access-token-claims';
import {
  InvalidAccessTokenError,
  InvalidCredentialsError,
  InvalidRefreshTokenError,
  RefreshTokenReusedError,
} from './auth.errors';
import { TokenPairResponse } from './token-pair.response';

const DAY_MS = 86_400_000;

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly users: UsersService,
    private readonly sessions: AuthSessionsRepository,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly jwt: JwtService,
    private readonly tx: TransactionRunner,
    private readonly config: AppConfig,
  ) {}

  register(input: Registration): Promise<UserEntity> {
    return this.users.register(input);
  }

  async login(email: string, password: string): Promise<TokenPairResponse> {
    const user = await this.users.verifyCredentials(email, password);
    if (!user) {
      this.logger.warn('login failed');
      throw new InvalidCredentialsError();
    }
    const { tokens, sessionId } = await this.tx.run(async (em) => {
      const session = await this.sessions.createSession(em, user.id, this.refreshExpiry());
      return { tokens: await this.issue(em, user.id, session.id), sessionId: session.id };
    });
    this.logger.log({ userId: user.id, sessionId }, 'login succeeded');
    return tokens;
  }

  /** Rotates the refresh token. Presenting an already-rotated token revokes the whole session. */
  async refresh(refreshToken: string): Promise<TokenPairResponse> {
    const outcome = await this.tx.run(async (em) => {
      const result = await this.refreshTokens.consume(em, refreshToken);
      if (result.kind === 'reused') await this.sessions.revoke(em, result.sessionId, 'refresh_token_reuse');
      if (result.kind !== 'rotated') return result;
      return { kind: 'rotated' as const, tokens: await this.issue(em, result.userId, result.sessionId) };
    });
    if (outcome.kind === 'reused') {
      this.logger.warn({ sessionId: outcome.sessionId }, 'refresh token reuse detected; session revoked');
      throw new RefreshTokenReusedError();
    }
    if (outcome.kind === 'invalid') throw new InvalidRefreshTokenError();
    return outcome.tokens;
  }

  async logout(user: AuthUser): Promise<void> {
    await this.tx.run((em) => this.sessions.revoke(em, user.sessionId, 'logout'));
  }

  /** Changes the password and signs out every other session of the user. */
  changePassword(user: AuthUser, input: ChangePasswordDto): Promise<void> {
    return this.users.changePassword(user.id, input, (em) =>
      this.sessions.revokeAllOf(em, user.id, user.sessionId, 'password_changed'),
    );
  }

  /** Verifies an access token and that its session is still live (logout takes effect at once). */
  async authenticate(accessToken: string): Promise<AuthUser> {
    let claims: AccessTokenClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims>(accessToken, { algorithms: ['HS256'] });
    } catch {
      throw new InvalidAccessTokenError();
    }
    if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string') throw new InvalidAccessTokenError();
    const role = await this.sessions.liveSessionRole(claims.sid, claims.sub);
    if (!role) throw new InvalidAccessTokenError();
    return { id: claims.sub, role, sessionId: claims.sid };
  }

  private async issue(em: EntityManager, userId: string, sessionId: string): Promise<TokenPairResponse> {
    const claims: AccessTokenClaims = { sub: userId, sid: sessionId };
    return {
      accessToken: await this.jwt.signAsync(claims),
      refreshToken: await this.refreshTokens.issue(em, sessionId, this.refreshExpiry()),
      expiresIn: this.config.auth.accessTtlSeconds,
    };
  }

  private refreshExpiry(): Date {
    return new Date(Date.now() + this.config.auth.refreshTtlDays * DAY_MS);
  }
}
