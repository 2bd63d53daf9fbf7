import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';

import { AppConfig } from '../../../config/app-config';
import { AdvisoryLock, AdvisoryLockKey } from '../../../infra/database/advisory-lock';
import { TransactionRunner } from '../../../infra/database/transaction-runner';
import { Metrics } from '../../../infra/metrics/metrics.service';
import { OrderJob, QueueName } from '../../../infra/queue/queue-names';
import { QueueRegistry } from '../../../infra/queue/queue-registry';
import { LockService } from '../../../infra/redis/lock.service';
import { LockKey } from '../../../infra/redis/lock-keys';
import { JobRunsRepository } from '../../../infra/queue/job-runs.repository';
import { OutboxService } from '../../outbox/outbox.service';
import { OutboxWriter } from '../../outbox/outbox.writer';
import { PaymentLedgerService } from '../../payments/ledger/payment-ledger.service';
import { orderEvents } from '../orders.events';
import { OrdersRepository } from '../orders.repository';
import { ORDER_JOB_COMPENSATION } from './order-compensation';
import { ExpireOrderStrategy } from './strategies/expire-order.strategy';

export interface ReconcileReport {
  expired: number;
  redispatched: number;
  compensations: number;
  refundChecks: number;
  stuckOutboxRows: number;
}

/** Jobs whose failure for good the compensation table answers with a compensation job. */
const COMPENSATED_JOBS = Object.values(OrderJob).filter(
  (job) => ORDER_JOB_COMPENSATION[job] === 'cancel-order',
);

const BATCH = 200;
/** A job run untouched this long should be visible in Redis; if it is not, Redis lost it. */
const MISSING_JOB_GRACE_SECONDS = 5;

/**
 * Rebuilds what Redis may have lost from Postgres, the source of truth: overdue PENDING orders are settled
 * from Stripe's view, job runs whose job vanished are re-dispatched through the outbox, failed PROCESS jobs
 * without compensation get it (order-compensation.ts), refunds pending at Stripe too long (or given up
 * before Stripe answered) are checked with Stripe, and outbox rows stuck unsent are reported.
 */
@Injectable()
export class OrderReconciler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OrderReconciler.name);
  private timer?: NodeJS.Timeout;
  private current?: Promise<unknown>;
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly orders: OrdersRepository,
    private readonly expire: ExpireOrderStrategy,
    private readonly ledger: PaymentLedgerService,
    private readonly jobRuns: JobRunsRepository,
    private readonly outbox: OutboxWriter,
    private readonly outboxes: OutboxService,
    private readonly tx: TransactionRunner,
    private readonly locks: LockService,
    private readonly metrics: Metrics,
    private readonly queues: QueueRegistry,
    private readonly advisoryLock: AdvisoryLock,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.current = this.scheduledRound()
        .catch((err) => this.logger.error({ err }, 'reconciliation failed'))
        .finally(() => this.schedule());
    }, this.config.reconciler.intervalMs);
  }

  /**
   * Every worker runs the reconciler; one round runs at a time across all of them (a Postgres advisory lock
   * held for the round), so two workers never repeat a repair they both saw (e.g. both finding a job missing
   * and re-dispatching its outbox row twice). A worker whose turn finds another round running skips it: the
   * next period looks again, at the state that round left.
   */
  private async scheduledRound(): Promise<void> {
    const round = await this.advisoryLock.tryRun(AdvisoryLockKey.reconcilerRound, () => this.repair({}));
    if (!round.acquired) this.logger.debug('another worker is reconciling; skipping this round');
  }

  /** One round now, after the round another worker may be running (so it sees that round's repairs). */
  reconcile(options: { missingJobGraceSeconds?: number } = {}): Promise<ReconcileReport> {
    return this.advisoryLock.run(AdvisoryLockKey.reconcilerRound, () => this.repair(options));
  }

  private async repair(options: { missingJobGraceSeconds?: number }): Promise<ReconcileReport> {
    const report: ReconcileReport = {
      expired: 0,
      redispatched: 0,
      compensations: 0,
      refundChecks: 0,
      stuckOutboxRows: 0,
    };

    for (const orderId of await this.orders.overduePending(BATCH)) {
      try {
        const outcome = await this.locks.withLock(
          LockKey.order(orderId),
          { ttlMs: this.config.queues.lockMs, waitMs: this.config.queues.lockWaitMs },
          () => this.expire.handle({ orderId, outboxId: 'reconciler' }),
        );
        if (outcome.status === 'done') report.expired++;
      } catch (err) {
        this.logger.warn({ err, orderId }, 'could not settle overdue order; next round retries');
      }
    }

    for (const run of await this.jobRuns.open(
      options.missingJobGraceSeconds ?? MISSING_JOB_GRACE_SECONDS,
      BATCH,
    )) {
      // Each run is looked up in its own queue: a job of another queue is not "lost" from this one.
      const queue = this.queues.get(run.queue);
      if (queue && (await queue.getJob(run.jobId))) continue;
      if (await this.outboxes.redispatch(run.outboxId)) report.redispatched++;
      else
        this.logger.warn({ jobId: run.jobId, outboxId: run.outboxId }, 'lost job whose outbox row is gone');
    }

    for (const run of await this.jobRuns.failed(QueueName.Orders, COMPENSATED_JOBS, BATCH)) {
      const written = await this.tx.run((em) =>
        this.outbox.append(
          em,
          orderEvents.compensationNeeded(run.aggregateId, run.name, run.lastError ?? 'failed'),
        ),
      );
      report.compensations += written.length;
    }

    const due = await this.ledger.refundsDueForCheck(this.config.reconciler.refundCheckSeconds, BATCH);
    if (due.length) {
      await this.tx.run((em) =>
        this.outbox.append(
          em,
          ...due.map((orderId) => orderEvents.paymentSyncRequested(orderId, 'reconciler')),
        ),
      );
      report.refundChecks = due.length;
    }

    const { count, oldest } = await this.outboxes.stuckSummary(this.config.outbox.stuckAfterSeconds);
    report.stuckOutboxRows = count;
    if (report.stuckOutboxRows) {
      this.logger.warn(
        { stuckOutboxRows: report.stuckOutboxRows, oldest },
        'outbox rows unsent for too long: is the relay running?',
      );
    }
    this.metrics.reconcilerActions.inc({ action: 'expired' }, report.expired);
    this.metrics.reconcilerActions.inc({ action: 'redispatched' }, report.redispatched);
    this.metrics.reconcilerActions.inc({ action: 'compensated' }, report.compensations);
    this.metrics.reconcilerActions.inc({ action: 'refund_checked' }, report.refundChecks);
    if (report.expired || report.redispatched || report.compensations || report.refundChecks)
      this.logger.log({ ...report }, 'reconciled');
    return report;
  }
}
