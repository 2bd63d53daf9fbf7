import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The relay claims outbox rows for a short lease (`claimed_until`) in one autocommit statement and enqueues them
 * after that commit, instead of holding a transaction (and its pooled connection) open across the Redis call.
 */
export class OutboxClaims1764000500000 implements MigrationInterface {
  name = 'OutboxClaims1764000500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ADD COLUMN claimed_until timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox DROP COLUMN claimed_until`);
  }
}
