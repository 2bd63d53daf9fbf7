import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { isPgError, PgErrorCode } from '../../infra/database/pg-errors';
import { IdempotencyRequestInFlightError } from './orders.errors';

export interface IdempotencyRecord {
  requestHash: string;
  orderId: string | null;
  responseStatus: number | null;
  responseBody: unknown;
}

/** Durable idempotency records of POST /orders, scoped per user (the Redis marker only guards in-flight). */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(userId: string, key: string): Promise<IdempotencyRecord | null> {
    const rows: {
      request_hash: string;
      order_id: string | null;
      response_status: number | null;
      response_body: unknown;
    }[] = await this.dataSource.query(`SELECT * FROM idempotency_keys WHERE user_id = $1 AND key = $2`, [
      userId,
      key,
    ]);
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

  /** Claims the key inside the order transaction; a concurrent claim of the same key is a 409. */
  async claim(em: EntityManager, userId: string, key: string, requestHash: string): Promise<void> {
    try {
      await em.query(`INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3)`, [
        userId,
        key,
        requestHash,
      ]);
    } catch (error) {
      if (isPgError(error, PgErrorCode.UniqueViolation)) throw new IdempotencyRequestInFlightError();
      throw error;
    }
  }

  async attachOrder(em: EntityManager, userId: string, key: string, orderId: string): Promise<void> {
    await em.query(`UPDATE idempotency_keys SET order_id = $3 WHERE user_id = $1 AND key = $2`, [
      userId,
      key,
      orderId,
    ]);
  }

  async complete(
    em: EntityManager,
    userId: string,
    key: string,
    status: number,
    body: unknown,
  ): Promise<void> {
    await em.query(
      // The first answer is final: a resumed request never overwrites it.
      `UPDATE idempotency_keys SET response_status = $3, response_body = $4::jsonb
        WHERE user_id = $1 AND key = $2 AND response_status IS NULL`,
      [userId, key, status, JSON.stringify(body)],
    );
  }

  /** Frees the key (the attempt failed before anything the client could rely on happened). */
  async release(em: EntityManager, userId: string, key: string): Promise<void> {
    await em.query(`DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2`, [userId, key]);
  }
}
