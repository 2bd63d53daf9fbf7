import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { UnauthenticatedError } from '../../infra/errors/common.errors';
import { IS_PUBLIC } from '../access/access-rules';
import { AuthService } from './auth.service';
import { AuthUser } from '../access/auth-user';

/**
 * Global guard: every route needs a valid Bearer access token unless marked @Public(). On public routes
 * a valid token is still read (so rate limits apply per user) but a bad one is ignored.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; user?: AuthUser }>();
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    const bearer = scheme?.toLowerCase() === 'bearer' && token ? token : undefined;
    if (isPublic) {
      if (bearer) request.user = await this.auth.authenticate(bearer).catch(() => undefined);
      return true;
    }
    if (!bearer) throw new UnauthenticatedError();
    request.user = await this.auth.authenticate(bearer);
    return true;
  }
}
