import { createSecretKey } from 'node:crypto';

import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';

import { AppConfig } from '../../config/app-config';
import { UsersModule } from '../users/users.module';
import { AuthSessionEntity } from './auth-session.entity';
import { AuthSessionsRepository } from './auth-sessions.repository';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { PasswordController } from './password.controller';
import { RefreshTokenEntity } from './refresh-token.entity';
import { RolesGuard } from './roles.guard';

@Module({
  imports: [
    UsersModule,
    TypeOrmModule.forFeature([AuthSessionEntity, RefreshTokenEntity]),
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // A KeyObject, not the string: given a string, jsonwebtoken tries createPublicKey (which throws and
        // builds a stack trace) and then createSecretKey on every sign and verify (~7% of api CPU under load).
        secret: createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8')),
        signOptions: { algorithm: 'HS256', expiresIn: config.auth.accessTtlSeconds },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController, PasswordController],
  providers: [AuthService, AuthSessionsRepository, RefreshTokensRepository, AuthGuard, RolesGuard],
  exports: [AuthService, AuthGuard, RolesGuard],
})
export class AuthModule {}
