import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { UserRole } from '../access/user-role';
import { AuthSessionEntity } from './auth-session.entity';

/** `auth_sessions`: one per login, revoked on logout, password change or refresh-token reuse. */
@Injectable()
export class AuthSessionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async createSession(em: EntityManager, userId: string, expiresAt: Date): Promise<AuthSessionEntity> {
    const repo = em.getRepository(AuthSessionEntity);
    return repo.save(repo.create({ userId, expiresAt, revokedAt: null }));
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

  /**
   * The user's current role when the session is live; null when revoked, expired or unknown. Read on every
   * authenticated request, so it joins `users` for the role in the same query (the one read of another
   * module's table, kept for the hot path; users owns every write of it).
   */
  async liveSessionRole(sessionId: string, userId: string): Promise<UserRole | null> {
    const rows: { role: UserRole }[] = await this.dataSource.query(
      `SELECT u.role FROM auth_sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [sessionId, userId],
    );
    return rows[0]?.role ?? null;
  }
}
