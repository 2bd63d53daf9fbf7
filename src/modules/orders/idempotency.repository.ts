import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { isPgError, PgErrorCode } from '../../infra/database/pg-errors';
import { IdempotencyRequestInFlightError } from './orders.errors';

/** Which route a key belongs to: the same key may be used once per scope, per user. */
export type IdempotencyScope = 'orders.place' | 'orders.cancel' | 'orders.refund';

export interface IdempotencyRecord {
  requestHash: string;
  orderId: string | null;
  responseStatus: number | null;
  responseBody: unknown;
}

/** Durable idempotency records, scoped per user and route (the Redis marker only guards in-flight). */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(userId: string, scope: IdempotencyScope, key: string): Promise<IdempotencyRecord | null> {
    const rows: {
      request_hash: string;
      order_id: string | null;
      response_status: number | null;
      response_body: unknown;
    }[] = await this.dataSource.query(
      `SELECT * FROM idempotency_keys WHERE user_id = $1 AND scope = $2 AND key = $3`,
      [userId, scope, key],
    );
    const row = rows[0];
    return row
      ? {
          requestHash: row.request_hash,
          orderId: row.order_id,
          responseStatus: row.response_status,
          responseBody: row.response_body,
        }
      : null;
  }

  /** Claims the key inside the caller's transaction; a concurrent claim of the same key is a 409. */
  async claim(
    em: EntityManager,
    userId: string,
    scope: IdempotencyScope,
    key: string,
    requestHash: string,
    orderId: string | null = null,
  ): Promise<void> {
    try {
      // A savepoint-free claim: the unique violation aborts the transaction, which then rolls back whole.
      await em.query(
        `INSERT INTO idempotency_keys (user_id, scope, key, request_hash, order_id) VALUES ($1, $2, $3, $4, $5)`,
        [userId, scope, key, requestHash, orderId],
      );
    } catch (error) {
      if (isPgError(error, PgErrorCode.UniqueViolation)) throw new IdempotencyRequestInFlightError();
      throw error;
    }
  }

  async attachOrder(
    em: EntityManager,
    userId: string,
    scope: IdempotencyScope,
    key: string,
    orderId: string,
  ): Promise<void> {
    await em.query(
      `UPDATE idempotency_keys SET order_id = $4 WHERE user_id = $1 AND scope = $2 AND key = $3`,
      [userId, scope, key, orderId],
    );
  }

  async complete(
    em: EntityManager,
    userId: string,
    scope: IdempotencyScope,
    key: string,
    answer: { status: number; body: unknown },
  ): Promise<void> {
    await em.query(
      // The first answer is final: a resumed request never overwrites it.
      `UPDATE idempotency_keys SET response_status = $4, response_body = $5::jsonb
        WHERE user_id = $1 AND scope = $2 AND key = $3 AND response_status IS NULL`,
      [userId, scope, key, answer.status, JSON.stringify(answer.body)],
    );
  }

  /** Frees the key (the attempt failed before anything the client could rely on happened). */
  async release(em: EntityManager, userId: string, scope: IdempotencyScope, key: string): Promise<void> {
    await em.query(`DELETE FROM idempotency_keys WHERE user_id = $1 AND scope = $2 AND key = $3`, [
      userId,
      scope,
      key,
    ]);
  }
}
