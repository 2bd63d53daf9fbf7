import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

import { AppConfig } from '../../config/app-config';
import { isDependencyUnavailable } from '../../infra/errors/dependency-errors';
import { Failpoint, Failpoints } from '../../infra/failpoints/failpoints';
import { Metrics } from '../../infra/metrics/metrics.service';
import { QueueName } from '../../infra/queue/queue-names';
import { QueueRegistry } from '../../infra/queue/queue-registry';
import { JobRunsRepository } from '../../infra/queue/job-runs.repository';
import { OutboxRepository, OutboxRow } from './outbox.repository';
import { jobIdFor, jobNameOf, OUTBOX_ROUTES } from './outbox-message';

const NOTIFY_CHANNEL = 'outbox_inserted';
/** How long a claimed batch is the claiming relay's: far longer than an enqueue takes, short enough to recover. */
const CLAIM_LEASE_SECONDS = 10;

/**
 * Moves committed outbox rows into BullMQ. One batch: claim unsent rows for a lease (FOR UPDATE SKIP LOCKED
 * inside the claiming UPDATE, so any number of relays can run), addBulk with jobId = outbox id (a repeat is
 * deduplicated by BullMQ), record the job runs and mark the rows sent. While batches come back full it re-enters
 * with setImmediate; when idle it sleeps until Postgres NOTIFY or the fallback poll interval.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** A NOTIFY arrived since the current batch started (its rows may have committed after the SELECT). */
  private notified = false;
  private listener?: Client;
  private listenerRetry?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly jobRuns: JobRunsRepository,
    private readonly metrics: Metrics,
    private readonly failpoints: Failpoints,
    private readonly queues: QueueRegistry,
    private readonly outbox: OutboxRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    void this.listen();
    this.loop = this.run();
  }

  /** Stops after the batch in progress (its transaction commits or rolls back), before the pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    clearTimeout(this.listenerRetry);
    await this.loop;
    await this.listener?.end().catch(() => undefined);
  }

  /**
   * Relays one batch; returns how many rows it dispatched. Public for tests and the reconciler. Claim (one
   * autocommit statement), enqueue, then mark sent: no transaction or pooled connection is held across the
   * Redis call. A crash between enqueue and mark re-sends the rows once the claim lapses, and BullMQ drops the
   * repeat (job id = outbox id).
   */
  async relayBatch(): Promise<number> {
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
    await this.jobRuns.recordQueued(
      this.dataSource.manager,
      rows.map((row) => ({
        jobId: jobIdFor(row.id),
        aggregateId: row.aggregate_id,
        outboxId: String(row.id),
        queue: OUTBOX_ROUTES[row.type].queue,
        name: jobNameOf(OUTBOX_ROUTES[row.type], row.payload),
        correlationId: row.correlation_id,
      })),
    );
    await this.outbox.markSent(ids);
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

  private async run(): Promise<void> {
    while (this.running) {
      let relayed = 0;
      let failed = false;
      this.notified = false;
      try {
        relayed = await this.relayBatch();
      } catch (error) {
        failed = true;
        // Postgres or Redis down: DependencyMonitor logs the outage; a line per poll here would flood.
        if (isDependencyUnavailable(error))
          this.logger.debug({ err: error }, 'outbox relay batch failed; retrying after the poll interval');
        else this.logger.error({ err: error }, 'outbox relay batch failed; retrying after the poll interval');
      }
      if (!this.running) break;
      if (relayed === this.config.outbox.batchSize) {
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      // A commit notified while the batch ran: relay again now instead of sleeping until the poll interval
      // (the NOTIFY that woke nobody would otherwise cost its rows up to OUTBOX_POLL_MS of lag).
      if (this.notified && !failed) continue;
      await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.config.outbox.pollMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async listen(): Promise<void> {
    if (!this.running) return;
    // LISTEN is session state: it needs a direct connection of its own (DATABASE_LISTEN_URL), never one
    // through a transaction-mode pooler, where it would register on some pooled server connection and its
    // notifications would reach nobody.
    const client = new Client({
      connectionString: this.config.db.listenUrl,
      application_name: 'dispatch-outbox-listener',
    });
    client.on('notification', () => {
      this.notified = true;
      this.wake?.();
    });
    client.on('error', (error) => {
      const level = isDependencyUnavailable(error) ? 'debug' : 'warn';
      this.logger[level]({ err: error }, 'outbox listener lost; falling back to polling until it reconnects');
      void client.end().catch(() => undefined);
      this.listenerRetry = setTimeout(() => void this.listen(), 1000);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      this.listener = client;
      if (!this.running) await client.end();
    } catch (error) {
      // Retried every second: while Postgres is down, DependencyMonitor speaks for it.
      const level = isDependencyUnavailable(error) ? 'debug' : 'warn';
      this.logger[level]({ err: error }, 'outbox listener could not connect; polling');
      await client.end().catch(() => undefined);
      if (this.running) this.listenerRetry = setTimeout(() => void this.listen(), 1000);
    }
  }
}
