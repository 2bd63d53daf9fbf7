import { createParamDecorator, CustomDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

import { UserRole } from './user-role';
import { AuthUser } from './auth-user';

/**
 * The access rules every controller states (who may call a route), in one place that auth (which enforces
 * them) and every feature module (which declares them) import.
 */
export const IS_PUBLIC = 'dispatch:isPublic';
export const ROLES = 'dispatch:roles';

/** Route needs no access token (every other route does). */
export const Public = (): CustomDecorator => SetMetadata(IS_PUBLIC, true);

/** Route is limited to these roles. */
export const Roles = (...roles: UserRole[]): CustomDecorator => SetMetadata(ROLES, roles);

/** The authenticated caller. */
export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): AuthUser => ctx.switchToHttp().getRequest<{ user: AuthUser }>().user,
);
