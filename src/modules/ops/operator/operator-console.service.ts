import { Injectable } from '@nestjs/common';

import { TransactionRunner } from '../../../infra/database/transaction-runner';
import { JobRunsRepository } from '../../../infra/queue/job-runs.repository';
import { QueueName } from '../../../infra/queue/queue-names';
import { QueueRegistry } from '../../../infra/queue/queue-registry';
import { OrderRecordsService } from '../../orders/order-records.service';
import { outboxIdOf } from '../../outbox/outbox-message';
import { OutboxService, RelayedRow, StuckOutboxRow } from '../../outbox/outbox.service';
import { PaymentLedgerService } from '../../payments/ledger/payment-ledger.service';
import { UnmatchedPayment } from '../../payments/ledger/unmatched-payments.repository';
import { JobNotFailedError, JobNotFoundError } from './operator-console.errors';
import { AuditEntry, OpsAuditRepository } from './ops-audit.repository';

export type { RelayedRow, StuckOutboxRow };

export interface FailedJob {
  jobId: string;
  queue: string;
  name: string;
  orderId: string;
  attempts: number;
  lastError: string | null;
  correlationId: string | null;
  failedAt: string;
}

/**
 * The operator console: what is broken (failed jobs, outbox rows the relay has not sent, payments that
 * matched no order) with the order and correlation id to follow it in the logs, and the repairs (retry a
 * job, re-dispatch stuck outbox rows, resolve an order). Every repair is written to ops_audit with the admin, the reason and the request's
 * correlation id. It reads and repairs through the owners' services; its own table is ops_audit.
 */
@Injectable()
export class OperatorConsoleService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly queues: QueueRegistry,
    private readonly jobRuns: JobRunsRepository,
    private readonly outbox: OutboxService,
    private readonly orders: OrderRecordsService,
    private readonly ledger: PaymentLedgerService,
    private readonly audit: OpsAuditRepository,
  ) {}

  unmatchedPayments(limit: number): Promise<UnmatchedPayment[]> {
    return this.ledger.unmatchedPayments(limit);
  }

  async failedJobs(limit: number): Promise<FailedJob[]> {
    return (await this.jobRuns.recentlyFailed(limit)).map((r) => ({
      jobId: r.jobId,
      queue: r.queue,
      name: r.name,
      orderId: r.aggregateId,
      attempts: r.attempts,
      lastError: r.lastError,
      correlationId: r.correlationId,
      failedAt: r.updatedAt,
    }));
  }

  stuckOutbox(olderThanSeconds: number, limit: number): Promise<StuckOutboxRow[]> {
    return this.outbox.stuck(olderThanSeconds, limit);
  }

  /**
   * Retries a failed job. If Redis lost it, its outbox row is re-sent instead, so the relay re-creates it
   * under the same job id.
   */
  async retryJob(
    admin: string,
    queueName: QueueName,
    jobId: string,
    reason: string,
  ): Promise<{ jobId: string; action: 'retried' | 'redispatched' }> {
    const job = await this.queues.get(queueName)?.getJob(jobId);
    let action: 'retried' | 'redispatched';
    if (job) {
      const state = await job.getState();
      if (state !== 'failed') throw new JobNotFailedError(jobId, state);
      await job.retry('failed');
      action = 'retried';
    } else {
      const outboxId = outboxIdOf(jobId);
      if (!outboxId || !(await this.outbox.redispatch(outboxId))) throw new JobNotFoundError(jobId);
      action = 'redispatched';
    }
    await this.tx.run(async (em) => {
      await this.jobRuns.markRequeued(em, jobId);
      await this.audit.insert(em, {
        actor: admin,
        action: `job.${action}`,
        target: `${queueName}/${jobId}`,
        reason,
        details: {},
      });
    });
    return { jobId, action };
  }

  /**
   * Relays every outbox row still unsent (stuck because no relay runs, or it keeps failing) into BullMQ now,
   * as the relay would, with one audit row per row relayed, written in the batch's transaction.
   */
  async redispatchOutbox(operator: string, reason: string): Promise<RelayedRow[]> {
    return this.outbox.relayUnsent(async (em, rows) => {
      for (const row of rows)
        await this.audit.insert(em, {
          actor: operator,
          action: 'outbox.redispatched',
          target: `outbox/${row.outboxId}`,
          reason,
          details: { type: row.type, aggregateId: row.aggregateId, queue: row.queue, jobId: row.jobId },
        });
    });
  }

  /** Records the operator's resolution of an order in its history (the status does not change). */
  resolveOrder(admin: string, orderId: string, reason: string): Promise<{ orderId: string; status: string }> {
    return this.tx.run(async (em) => {
      const status = await this.orders.addOperatorNote(em, orderId, admin, `resolved: ${reason}`);
      await this.audit.insert(em, {
        actor: admin,
        action: 'order.resolved',
        target: `order/${orderId}`,
        reason,
        details: { status },
      });
      return { orderId, status };
    });
  }

  auditTrail(target?: string, limit = 100): Promise<AuditEntry[]> {
    return this.audit.list(target, limit);
  }
}
