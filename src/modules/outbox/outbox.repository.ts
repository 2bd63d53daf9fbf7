import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { OutboxMessage, OutboxType } from './outbox-message';

export interface OutboxRow {
  id: string;
  type: OutboxType;
  aggregate_id: string;
  payload: Record<string, unknown>;
  correlation_id: string | null;
  deliver_after: Date | null;
}

export interface StuckOutboxRow {
  outboxId: string;
  type: string;
  orderId: string;
  correlationId: string | null;
  occurredAt: string;
  ageSeconds: number;
}

/** `outbox`: every statement on the table. */
@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Returns the ids of the rows written (a message whose dedupe key already exists is skipped). */
  async append(
    em: EntityManager,
    correlationId: string | null,
    messages: OutboxMessage[],
  ): Promise<string[]> {
    if (messages.length === 0) return [];
    const params: unknown[] = [];
    const values = messages.map((m) => {
      params.push(
        m.type,
        m.aggregateId,
        JSON.stringify(m.payload),
        correlationId,
        m.dedupeKey ?? null,
        m.deliverAfter ?? null,
      );
      const n = params.length;
      return `($${n - 5}, $${n - 4}, $${n - 3}::jsonb, $${n - 2}, $${n - 1}, $${n})`;
    });
    const rows: { id: string }[] = await em.query(
      `INSERT INTO outbox (type, aggregate_id, payload, correlation_id, dedupe_key, deliver_after)
       VALUES ${values.join(', ')}
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id`,
      params,
    );
    return rows.map((r) => String(r.id));
  }

  /**
   * Claims up to `limit` unsent rows, oldest first, for `leaseSeconds`, in one autocommit statement: rows another
   * relay holds (claimed and not yet expired, or being claimed right now) are skipped, so relays never share a
   * row, and a relay that dies holding a claim only delays its rows until the lease ends.
   */
  async claimUnsent(limit: number, leaseSeconds: number): Promise<OutboxRow[]> {
    const [rows]: [OutboxRow[], number] = await this.dataSource.query(
      `UPDATE outbox o SET claimed_until = now() + make_interval(secs => $2)
         FROM (SELECT id FROM outbox
                WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < now())
                ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) claimed
        WHERE o.id = claimed.id
        RETURNING o.id, o.type, o.aggregate_id, o.payload, o.correlation_id, o.deliver_after`,
      [limit, leaseSeconds],
    );
    return rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }

  /** The claimed rows are in BullMQ. */
  async markSent(em: EntityManager, ids: string[]): Promise<void> {
    await em.query(`UPDATE outbox SET sent_at = now(), claimed_until = NULL WHERE id = ANY($1::bigint[])`, [
      ids,
    ]);
  }

  /** Gives up a claim (enqueueing failed): the rows are free for the next batch at once. */
  async releaseClaim(ids: string[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox SET claimed_until = NULL WHERE id = ANY($1::bigint[]) AND sent_at IS NULL`,
      [ids],
    );
  }

  /** Makes a sent row unsent again, so the relay re-creates its job under the same job id. */
  async redispatch(outboxId: string): Promise<boolean> {
    const [, changed]: [unknown, number] = await this.dataSource.query(
      `UPDATE outbox SET sent_at = NULL, claimed_until = NULL WHERE id = $1 AND sent_at IS NOT NULL`,
      [outboxId],
    );
    return changed > 0;
  }

  async purgeSent(olderThanSeconds: number): Promise<number> {
    const [, deleted]: [unknown, number] = await this.dataSource.query(
      `DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => $1)`,
      [olderThanSeconds],
    );
    return deleted;
  }

  /** Unsent rows and the age of the oldest (seconds, 0 when none). */
  async lag(): Promise<{ unsent: number; oldestAgeSeconds: number }> {
    const [row]: { unsent: string; age: number | null }[] = await this.dataSource.query(
      `SELECT count(*) AS unsent, extract(epoch FROM now() - min(occurred_at))::float8 AS age
         FROM outbox WHERE sent_at IS NULL`,
    );
    return { unsent: Number(row.unsent), oldestAgeSeconds: row.age ?? 0 };
  }

  async stuck(olderThanSeconds: number, limit: number): Promise<StuckOutboxRow[]> {
    const rows: {
      id: string;
      type: string;
      aggregate_id: string;
      correlation_id: string | null;
      occurred_at: Date;
      age: number;
    }[] = await this.dataSource.query(
      `SELECT id, type, aggregate_id, correlation_id, occurred_at,
              extract(epoch FROM now() - occurred_at)::float8 AS age
         FROM outbox WHERE sent_at IS NULL AND occurred_at < now() - make_interval(secs => $1)
        ORDER BY id LIMIT $2`,
      [olderThanSeconds, limit],
    );
    return rows.map((r) => ({
      outboxId: String(r.id),
      type: r.type,
      orderId: r.aggregate_id,
      correlationId: r.correlation_id,
      occurredAt: r.occurred_at.toISOString(),
      ageSeconds: Math.round(r.age),
    }));
  }

  async stuckSummary(olderThanSeconds: number): Promise<{ count: number; oldest: Date | null }> {
    const [row]: { count: string; oldest: Date | null }[] = await this.dataSource.query(
      `SELECT count(*) AS count, min(occurred_at) AS oldest FROM outbox
        WHERE sent_at IS NULL AND occurred_at < now() - make_interval(secs => $1)`,
      [olderThanSeconds],
    );
    return { count: Number(row.count), oldest: row.oldest };
  }
}
