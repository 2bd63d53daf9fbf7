import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';

import { DomainError } from '../../../infra/errors/domain-error';
import { ForbiddenError, UnauthenticatedError } from '../../../infra/errors/common.errors';
import { BULL_BOARD_PATH } from '../../../infra/http/configure-app';
import { InvalidAccessTokenError } from '../../auth/auth.errors';
import { AuthService } from '../../auth/auth.service';
import { UserRole } from '../../access/user-role';
import { readBullBoardToken } from './bull-board-cookie';

type Access = 'admin' | 'not-admin' | 'anonymous';

/**
 * Runs before every route of Bull Board's Fastify plugin (page, API and static files): only a cookie whose
 * access token authenticates (live session) as an admin gets through. A browser asking for a page is sent
 * to the login form; anything else (the UI's API calls, assets) gets a 401, or 403 for a non-admin.
 */
export function bullBoardAccessHook(auth: AuthService): onRequestAsyncHookHandler {
  const accessOf = async (token: string | undefined): Promise<Access> => {
    if (!token) return 'anonymous';
    // Only a bad token means "not signed in"; anything else (database down) fails the request.
    const user = await auth.authenticate(token).catch((error: unknown) => {
      if (error instanceof InvalidAccessTokenError) return undefined;
      throw error;
    });
    if (!user) return 'anonymous';
    return user.role === UserRole.Admin ? 'admin' : 'not-admin';
  };

  return async (request: FastifyRequest, reply: FastifyReply) => {
    const access = await accessOf(readBullBoardToken(request));
    if (access === 'admin') return;
    if (isPageRequest(request)) return reply.redirect(`/${BULL_BOARD_PATH}/login`, 303);
    const error =
      access === 'anonymous'
        ? new UnauthenticatedError(`Sign in at /${BULL_BOARD_PATH}/login`)
        : new ForbiddenError('Bull Board is for admins only');
    return reply.code(error.httpStatus).send(errorBody(error, String(request.id)));
  };
}

function isPageRequest(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0];
  const base = `/${BULL_BOARD_PATH}`;
  return (
    (request.method === 'GET' || request.method === 'HEAD') &&
    !path.startsWith(`${base}/api/`) &&
    !path.startsWith(`${base}/static/`)
  );
}

/** The API's error shape (the global exception filter does not see requests to Bull Board's plugin). */
function errorBody(error: DomainError, correlationId: string) {
  return { statusCode: error.httpStatus, code: error.code, message: error.message, correlationId };
}
