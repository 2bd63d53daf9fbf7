import { MigrationInterface, QueryRunner } from 'typeorm';

export class OpsAudit1764000300000 implements MigrationInterface {
  name = 'OpsAudit1764000300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ops_audit (
        id bigserial PRIMARY KEY,
        actor text NOT NULL,
        action text NOT NULL,
        target text NOT NULL,
        reason text,
        details jsonb NOT NULL DEFAULT '{}',
        correlation_id text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ops_audit_target_idx ON ops_audit (target, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ops_audit`);
  }
}
