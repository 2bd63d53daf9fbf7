import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { Injectable, Logger } from '@nestjs/common';
import { Client } from 'pg';
import QueryStream from 'pg-query-stream';
import { DataSource } from 'typeorm';

import { AppConfig } from '../../config/app-config';
import { TransactionRunner } from '../../infra/database/transaction-runner';
import { ValidationFailedError } from '../../infra/errors/common.errors';
import { JobOutcome } from '../../infra/queue/job-outcome';
import { notification, OutboxType } from '../outbox/outbox-message';
import { OutboxWriter } from '../outbox/outbox.writer';
import { ExportNotFoundError, ExportNotReadyError } from './documents.errors';
import { CreateOrdersExportDto } from './dto/create-orders-export.dto';
import { createOrdersCsvTransform } from './orders-csv.transform';
import { DocumentStorage } from './storage/document.storage';

export interface ExportRecord {
  id: string;
  kind: string;
  status: 'pending' | 'processing' | 'completed' | 'failed';
  filters: CreateOrdersExportDto;
  totalRows: number | null;
  file: string | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
}

interface ExportRow {
  id: string;
  kind: string;
  status: ExportRecord['status'];
  filters: CreateOrdersExportDto;
  requested_by: string;
  total_rows: number | null;
  file_key: string | null;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

const toRecord = (r: ExportRow): ExportRecord => ({
  id: r.id,
  kind: r.kind,
  status: r.status,
  filters: r.filters,
  totalRows: r.total_rows,
  file: r.file_key,
  error: r.error,
  createdAt: r.created_at.toISOString(),
  startedAt: r.started_at?.toISOString() ?? null,
  completedAt: r.completed_at?.toISOString() ?? null,
});

/**
 * Order CSV exports as background jobs. The rows stream from a server-side cursor (pg-query-stream) through
 * the CSV transform into storage, so memory stays flat whatever the row count; storage writes atomically, so
 * a failed or retried run never leaves a half file behind.
 */
@Injectable()
export class ExportsService {
  private readonly logger = new Logger(ExportsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly outbox: OutboxWriter,
    private readonly storage: DocumentStorage,
    private readonly config: AppConfig,
  ) {}

  async request(requestedBy: string, filters: CreateOrdersExportDto): Promise<ExportRecord> {
    if (filters.from && filters.to && new Date(filters.from) >= new Date(filters.to)) {
      throw new ValidationFailedError([
        { field: 'to', code: 'isAfterFrom', message: 'to must be later than from' },
      ]);
    }
    const row = await this.tx.run(async (em) => {
      const [created]: ExportRow[] = await em.query(
        `INSERT INTO exports (kind, status, filters, requested_by) VALUES ('orders', 'pending', $1::jsonb, $2) RETURNING *`,
        [JSON.stringify(filters), requestedBy],
      );
      await this.outbox.append(em, {
        type: OutboxType.OrdersExport,
        aggregateId: created.id,
        payload: { exportId: created.id },
        dedupeKey: `export:${created.id}`,
      });
      return created;
    });
    return toRecord(row);
  }

  async get(id: string): Promise<ExportRecord> {
    return toRecord(await this.row(id));
  }

  async open(id: string): Promise<{ stream: NodeJS.ReadableStream; filename: string }> {
    const row = await this.row(id);
    if (row.status !== 'completed' || !row.file_key) throw new ExportNotReadyError(id, row.status);
    const stream = await this.storage.open(row.file_key);
    if (!stream) throw new ExportNotReadyError(id, 'missing');
    return { stream, filename: `orders-${id}.csv` };
  }

  async run(exportId: string, finalAttempt: boolean): Promise<JobOutcome> {
    const row = await this.row(exportId);
    if (row.status === 'completed') return { status: 'skipped', reason: 'already completed' };
    await this.dataSource.query(
      `UPDATE exports SET status = 'processing', started_at = now(), error = NULL WHERE id = $1`,
      [exportId],
    );
    const key = `exports/${exportId}.csv`;
    const client = new Client({ connectionString: this.config.db.url, application_name: 'dispatch-export' });
    await client.connect();
    let rows = 0;
    try {
      const { sql, params } = exportQuery(row.filters);
      const source = client.query(new QueryStream(sql, params, { batchSize: 1000 }));
      const counter = new Transform({
        objectMode: true,
        transform(chunk, _encoding, done) {
          rows++;
          done(null, chunk);
        },
      });
      const csv = new PassThrough();
      await Promise.all([
        pipeline(source, counter, createOrdersCsvTransform(), csv),
        this.storage.put(key, csv),
      ]);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.dataSource.query(`UPDATE exports SET status = $2, error = $3 WHERE id = $1`, [
        exportId,
        finalAttempt ? 'failed' : 'pending',
        message,
      ]);
      throw error;
    } finally {
      await client.end();
    }
    await this.tx.run(async (em) => {
      await em.query(
        `UPDATE exports SET status = 'completed', total_rows = $2, file_key = $3, completed_at = now() WHERE id = $1`,
        [exportId, rows, key],
      );
      await this.outbox.append(
        em,
        notification('EXPORT_READY', exportId, { exportId, rowCount: rows, requestedBy: row.requested_by }),
      );
    });
    this.logger.log({ exportId, rows }, 'orders export completed');
    return { status: 'done' };
  }

  private async row(id: string): Promise<ExportRow> {
    const rows: ExportRow[] = await this.dataSource.query(`SELECT * FROM exports WHERE id = $1`, [id]);
    if (!rows[0]) throw new ExportNotFoundError(id);
    return rows[0];
  }
}

function exportQuery(filters: CreateOrdersExportDto): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filters.status) where.push(`o.status = $${params.push(filters.status)}`);
  if (filters.from) where.push(`o.created_at >= $${params.push(filters.from)}`);
  if (filters.to) where.push(`o.created_at < $${params.push(filters.to)}`);
  return {
    sql: `SELECT o.id, o.created_at AS "createdAt", o.status, u.email AS "userEmail", o.total_cents AS "totalCents",
                 o.refunded_cents AS "refundedCents", o.currency,
                 (SELECT coalesce(sum(quantity), 0)::int FROM order_lines l WHERE l.order_id = o.id) AS "itemCount",
                 o.payment_intent_id AS "paymentIntentId"
            FROM orders o JOIN users u ON u.id = o.user_id
           ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY o.created_at, o.id`,
    params,
  };
}
