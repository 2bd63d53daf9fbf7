import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';

import { AppConfig } from '../../config/app-config';
import { Failpoint, Failpoints } from '../../infra/failpoints/failpoints';
import { Metrics } from '../../infra/metrics/metrics.service';
import { JobRunsRepository } from '../../infra/queue/job-runs.repository';
import { QueueName } from '../../infra/queue/queue-names';
import { QueueRegistry } from '../../infra/queue/queue-registry';
import { jobIdFor, jobNameOf, OUTBOX_ROUTES, OutboxType } from './outbox-message';
import { OutboxRepository, OutboxRow } from './outbox.repository';

/** One outbox row as it was handed to BullMQ. */
export interface RelayedRow {
  outboxId: string;
  type: OutboxType;
  aggregateId: string;
  queue: QueueName;
  jobId: string;
  name: string;
}

/** How long a claimed batch is the claiming relay's: far longer than an enqueue takes, short enough to recover. */
const CLAIM_LEASE_SECONDS = 10;

/**
 * One relay batch: claim unsent rows for a lease (one autocommit statement, FOR UPDATE SKIP LOCKED inside it,
 * so any number of relays can run and never share a row), addBulk with jobId = outbox id (a repeat is
 * deduplicated by BullMQ), then record the job runs and mark the rows sent. No transaction or pooled
 * connection is held across the Redis call; a crash between enqueue and mark re-sends the rows once the claim
 * lapses, and BullMQ drops the repeat. The relay loop (OutboxRelay) runs it in worker processes; an operator's
 * re-dispatch runs it once by hand, with `onRelayed` writing its audit rows in the transaction that marks them.
 */
@Injectable()
export class OutboxBatchRelay {
  private readonly logger = new Logger(OutboxBatchRelay.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly jobRuns: JobRunsRepository,
    private readonly metrics: Metrics,
    private readonly failpoints: Failpoints,
    private readonly queues: QueueRegistry,
    private readonly outbox: OutboxRepository,
  ) {}

  /** Relays one batch; returns how many rows it dispatched. */
  async relayBatch(onRelayed?: (em: EntityManager, rows: RelayedRow[]) => Promise<void>): Promise<number> {
    const rows = await this.outbox.claimUnsent(this.config.outbox.batchSize, CLAIM_LEASE_SECONDS);
    if (rows.length === 0) return 0;
    this.metrics.relayBatchSize.observe(rows.length);
    const ids = rows.map((r) => r.id);
    try {
      await this.enqueue(rows);
    } catch (error) {
      await this.outbox.releaseClaim(ids).catch(() => undefined);
      throw error;
    }
    this.failpoints.hit(Failpoint.RelayEnqueued);
    const relayed = rows.map((row) => ({
      outboxId: String(row.id),
      type: row.type,
      aggregateId: row.aggregate_id,
      queue: OUTBOX_ROUTES[row.type].queue,
      jobId: jobIdFor(row.id),
      name: jobNameOf(OUTBOX_ROUTES[row.type], row.payload),
    }));
    const markSent = async (em: EntityManager) => {
      await this.jobRuns.recordQueued(
        em,
        relayed.map((r, i) => ({
          jobId: r.jobId,
          aggregateId: r.aggregateId,
          outboxId: r.outboxId,
          queue: r.queue,
          name: r.name,
          correlationId: rows[i].correlation_id,
        })),
      );
      await this.outbox.markSent(em, ids);
    };
    // Without audit rows the two writes need no transaction: a crash between them only re-sends the rows.
    if (onRelayed)
      await this.dataSource.transaction(async (em) => {
        await markSent(em);
        await onRelayed(em, relayed);
      });
    else await markSent(this.dataSource.manager);
    this.logger.debug(
      { count: rows.length, firstId: ids[0], lastId: ids[ids.length - 1] },
      'outbox batch relayed',
    );
    return rows.length;
  }

  private async enqueue(rows: OutboxRow[]): Promise<void> {
    const byQueue = new Map<QueueName, Parameters<Queue['addBulk']>[0]>();
    const now = Date.now();
    for (const row of rows) {
      const route = OUTBOX_ROUTES[row.type];
      const jobs = byQueue.get(route.queue) ?? [];
      jobs.push({
        name: jobNameOf(route, row.payload),
        data: {
          ...row.payload,
          orderId: row.aggregate_id,
          outboxId: String(row.id),
          correlationId: row.correlation_id ?? undefined,
        },
        opts: {
          jobId: jobIdFor(row.id),
          priority: route.priority,
          delay: row.deliver_after ? Math.max(0, row.deliver_after.getTime() - now) : undefined,
        },
      });
      byQueue.set(route.queue, jobs);
    }
    await Promise.all([...byQueue].map(([queue, jobs]) => this.queues.get(queue)!.addBulk(jobs)));
  }
}
