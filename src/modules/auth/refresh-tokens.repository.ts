import { createHash, randomBytes } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { RefreshTokenEntity } from './refresh-token.entity';

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export type RefreshOutcome =
  | { kind: 'rotated'; sessionId: string; userId: string }
  | { kind: 'reused'; sessionId: string }
  | { kind: 'invalid' };

/** `refresh_tokens`: the rotating chain of each session (only hashes are stored). */
@Injectable()
export class RefreshTokensRepository {
  /** Issues a new refresh token in the session and returns the plain token (only its hash is stored). */
  async issue(em: EntityManager, sessionId: string, expiresAt: Date): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await em.getRepository(RefreshTokenEntity).insert({ sessionId, tokenHash: hashToken(token), expiresAt });
    return token;
  }

  /**
   * Marks the token used if it is fresh and its session is live. A token that was already used means it
   * leaked or was replayed: the caller revokes the whole session.
   */
  async consume(em: EntityManager, token: string): Promise<RefreshOutcome> {
    const hash = hashToken(token);
    // TypeORM answers an UPDATE ... RETURNING with [rows, affectedCount].
    const [consumed]: [{ session_id: string; user_id: string }[], number] = await em.query(
      `UPDATE refresh_tokens t SET used_at = now()
         FROM auth_sessions s
        WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.expires_at > now()
          AND s.id = t.session_id AND s.revoked_at IS NULL AND s.expires_at > now()
        RETURNING t.session_id, s.user_id`,
      [hash],
    );
    if (consumed.length)
      return { kind: 'rotated', sessionId: consumed[0].session_id, userId: consumed[0].user_id };
    const known: { session_id: string; used_at: Date | null }[] = await em.query(
      `SELECT session_id, used_at FROM refresh_tokens WHERE token_hash = $1`,
      [hash],
    );
    if (known.length && known[0].used_at) return { kind: 'reused', sessionId: known[0].session_id };
    return { kind: 'invalid' };
  }
}
