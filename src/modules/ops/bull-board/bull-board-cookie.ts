import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';

import { AppConfig } from '../../../config/app-config';
import { BULL_BOARD_PATH } from '../../../infra/http/configure-app';

/** Holds an access token (signed with JWT_SECRET by @fastify/cookie); sent only to /bull-board. */
export const BULL_BOARD_COOKIE = 'dispatch_bull_board';

export function bullBoardCookieOptions(config: AppConfig): CookieSerializeOptions {
  return {
    path: `/${BULL_BOARD_PATH}`,
    httpOnly: true,
    // Strict: no cross-site request carries it, so Bull Board's PUT actions need no CSRF token.
    sameSite: 'strict',
    secure: config.env === 'production',
    signed: true,
    // The token inside stops working at the same moment; the operator signs in again.
    maxAge: config.auth.accessTtlSeconds,
  };
}

/** The access token of a well-signed cookie, or undefined. */
export function readBullBoardToken(request: FastifyRequest): string | undefined {
  const raw = request.cookies[BULL_BOARD_COOKIE];
  if (!raw) return undefined;
  const unsigned = request.unsignCookie(raw);
  return unsigned.valid && unsigned.value ? unsigned.value : undefined;
}
