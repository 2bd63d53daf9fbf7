import { createHash, randomBytes } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { UserRole } from '../users/user.entity';
import { AuthSessionEntity } from './auth-session.entity';
import { RefreshTokenEntity } from './refresh-token.entity';

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export type RefreshOutcome =
  | { kind: 'rotated'; sessionId: string; userId: string }
  | { kind: 'reused'; sessionId: string }
  | { kind: 'invalid' };

/** Sessions (one per login) and their refresh-token chain. */
@Injectable()
export class AuthSessionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async createSession(em: EntityManager, userId: string, expiresAt: Date): Promise<AuthSessionEntity> {
    const repo = em.getRepository(AuthSessionEntity);
    return repo.save(repo.create({ userId, expiresAt, revokedAt: null }));
  }

  /** Issues a new refresh token in the session and returns the plain token (only its hash is stored). */
  async issueRefreshToken(em: EntityManager, sessionId: string, expiresAt: Date): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await em.getRepository(RefreshTokenEntity).insert({ sessionId, tokenHash: hashToken(token), expiresAt });
    return token;
  }

  /**
   * Marks the token used if it is fresh and its session is live. A token that was already used means it
   * leaked or was replayed: the caller revokes the whole session.
   */
  async consumeRefreshToken(em: EntityManager, token: string): Promise<RefreshOutcome> {
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

  async revoke(em: EntityManager, sessionId: string, reason: string): Promise<void> {
    await em.query(
      `UPDATE auth_sessions SET revoked_at = now(), revoke_reason = $2 WHERE id = $1 AND revoked_at IS NULL`,
      [sessionId, reason],
    );
  }

  async revokeAllOf(
    em: EntityManager,
    userId: string,
    exceptSessionId: string,
    reason: string,
  ): Promise<void> {
    await em.query(
      `UPDATE auth_sessions SET revoked_at = now(), revoke_reason = $3
        WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL`,
      [userId, exceptSessionId, reason],
    );
  }

  /** The user's current role when the session is live; null when revoked, expired or unknown. */
  async liveSessionRole(sessionId: string, userId: string): Promise<UserRole | null> {
    const rows: { role: UserRole }[] = await this.dataSource.query(
      `SELECT u.role FROM auth_sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [sessionId, userId],
    );
    return rows[0]?.role ?? null;
  }
}
