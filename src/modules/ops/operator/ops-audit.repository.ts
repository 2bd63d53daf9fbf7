import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { CorrelationContext } from '../../../infra/logging/correlation-context';

export interface AuditEntry {
  id: string;
  actor: string;
  action: string;
  target: string;
  reason: string | null;
  details: unknown;
  correlationId: string | null;
  at: string;
}

/** `ops_audit`: who did what to what, why, and the request's correlation id. */
@Injectable()
export class OpsAuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(
    em: EntityManager,
    entry: { actor: string; action: string; target: string; reason: string; details: object },
  ): Promise<void> {
    await em.query(
      `INSERT INTO ops_audit (actor, action, target, reason, details, correlation_id) VALUES ($1, $2, $3, $4, $5::jsonb, $6)`,
      [
        entry.actor,
        entry.action,
        entry.target,
        entry.reason,
        JSON.stringify(entry.details),
        CorrelationContext.current() ?? null,
      ],
    );
  }

  async list(target: string | undefined, limit: number): Promise<AuditEntry[]> {
    const rows: {
      id: string;
      actor: string;
      action: string;
      target: string;
      reason: string | null;
      details: unknown;
      correlation_id: string | null;
      created_at: Date;
    }[] = await this.dataSource.query(
      `SELECT * FROM ops_audit WHERE ($1::text IS NULL OR target = $1) ORDER BY id DESC LIMIT $2`,
      [target ?? null, limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      actor: r.actor,
      action: r.action,
      target: r.target,
      reason: r.reason,
      details: r.details,
      correlationId: r.correlation_id,
      at: r.created_at.toISOString(),
    }));
  }
}
