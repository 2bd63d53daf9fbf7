import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

import { ApiPublic, ApiRestricted } from '../../infra/http/api-contract';

import { UserRole } from './user-role';
import { AuthUser } from './auth-user';

/**
 * The access rules every controller states (who may call a route), in one place that auth (which enforces
 * them) and every feature module (which declares them) import.
 */
export const IS_PUBLIC = 'dispatch:isPublic';
export const ROLES = 'dispatch:roles';

/** Route needs no access token (every other route does); the OpenAPI document says `security: []`. */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC, true), ApiPublic());

/** Route is limited to these roles (others get 403 FORBIDDEN, which the OpenAPI document lists). */
export const Roles = (...roles: UserRole[]) => applyDecorators(SetMetadata(ROLES, roles), ApiRestricted());

/** The authenticated caller. */
export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): AuthUser => ctx.switchToHttp().getRequest<{ user: AuthUser }>().user,
);
