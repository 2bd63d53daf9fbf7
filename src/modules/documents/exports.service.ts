import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { Injectable, Logger } from '@nestjs/common';

import { TransactionRunner } from '../../infra/database/transaction-runner';
import { ValidationFailedError } from '../../infra/errors/common.errors';
import { JobOutcome } from '../../infra/queue/job-outcome';
import { OrderQueriesService } from '../orders/order-queries.service';
import { notice, OutboxType, SystemNotice } from '../outbox/outbox-message';
import { OutboxWriter } from '../outbox/outbox.writer';
import { UsersService } from '../users/users.service';
import { ExportNotFoundError, ExportNotReadyError } from './documents.errors';
import { CreateOrdersExportDto } from './dto/create-orders-export.dto';
import { ExportRow, ExportsRepository } from './exports.repository';
import { createOrdersCsvTransform } from './orders-csv.transform';
import { DocumentStorage } from './storage/document.storage';

/** Rows whose buyers' emails are looked up together (one users query per batch, not per row). */
const EMAIL_BATCH = 500;

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
 * Order CSV exports as background jobs. The orders module streams the rows from a server-side cursor; the
 * buyers' emails are added in batches; the CSV transform writes into storage, so memory stays flat whatever
 * the row count; storage writes atomically, so a failed or retried run never leaves a half file behind.
 */
@Injectable()
export class ExportsService {
  private readonly logger = new Logger(ExportsService.name);

  constructor(
    private readonly exports: ExportsRepository,
    private readonly orders: OrderQueriesService,
    private readonly users: UsersService,
    private readonly tx: TransactionRunner,
    private readonly outbox: OutboxWriter,
    private readonly storage: DocumentStorage,
  ) {}

  async request(requestedBy: string, filters: CreateOrdersExportDto): Promise<ExportRecord> {
    if (filters.from && filters.to && new Date(filters.from) >= new Date(filters.to)) {
      throw new ValidationFailedError([
        { field: 'to', code: 'isAfterFrom', message: 'to must be later than from' },
      ]);
    }
    const row = await this.tx.run(async (em) => {
      const created = await this.exports.insert(em, filters, requestedBy);
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
    await this.exports.started(exportId);
    const key = `exports/${exportId}.csv`;
    const source = await this.orders.exportRows(row.filters);
    let rows = 0;
    try {
      const counter = new Transform({
        objectMode: true,
        transform(chunk, _encoding, done) {
          rows++;
          done(null, chunk);
        },
      });
      const csv = new PassThrough();
      await Promise.all([
        pipeline(source.rows, this.withBuyerEmails(), counter, createOrdersCsvTransform(), csv),
        this.storage.put(key, csv),
      ]);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.exports.failed(exportId, finalAttempt ? 'failed' : 'pending', message);
      throw error;
    } finally {
      await source.close();
    }
    await this.tx.run(async (em) => {
      await this.exports.completed(em, exportId, rows, key);
      await this.outbox.append(
        em,
        notice(SystemNotice.ExportReady, exportId, {
          exportId,
          rowCount: rows,
          requestedBy: row.requested_by,
        }),
      );
    });
    this.logger.log({ exportId, rows }, 'orders export completed');
    return { status: 'done' };
  }

  private async row(id: string): Promise<ExportRow> {
    const row = await this.exports.find(id);
    if (!row) throw new ExportNotFoundError(id);
    return row;
  }

  /** Replaces each row's `userId` by the buyer's `userEmail`, looking the emails up a batch at a time. */
  private withBuyerEmails(): Transform {
    const users = this.users;
    let batch: Record<string, unknown>[] = [];
    const flush = async (stream: Transform) => {
      const emails = await users.emailsOf(batch.map((r) => String(r.userId)));
      for (const { userId, ...row } of batch)
        stream.push({ ...row, userEmail: emails.get(String(userId)) ?? '' });
      batch = [];
    };
    return new Transform({
      objectMode: true,
      transform(chunk: Record<string, unknown>, _encoding, done) {
        batch.push(chunk);
        if (batch.length < EMAIL_BATCH) return done();
        flush(this).then(() => done(), done);
      },
      flush(done) {
        flush(this).then(() => done(), done);
      },
    });
  }
}
