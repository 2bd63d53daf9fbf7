import { writeSync } from 'node:fs';

import { Global, Injectable, Module } from '@nestjs/common';

import { AppConfig } from '../../config/app-config';

/** The places where a chaos test may crash a process; each sits between two effects that must both survive. */
export enum Failpoint {
  /** api: the order and its reservation are committed, the PaymentIntent not yet created, no response sent. */
  OrderCommitted = 'place-order.committed',
  /** api: the PaymentIntent is stored and the idempotent response recorded, the response not yet sent. */
  OrderAnswered = 'place-order.answered',
  /** worker: jobs are in Redis, the outbox rows not yet marked sent (the transaction rolls back). */
  RelayEnqueued = 'relay.enqueued',
  /** worker: Stripe made the refund, Postgres does not know yet. */
  RefundAtStripe = 'refund.at-stripe',
}

/**
 * Crash points for chaos tests (FAILPOINTS=name=N): the Nth time the process passes `name` it SIGKILLs
 * itself, with no cleanup, exactly like a power cut at that line. Config refuses FAILPOINTS in production;
 * with none set, `hit` is a map lookup.
 */
@Injectable()
export class Failpoints {
  private readonly hits = new Map<string, number>();

  constructor(private readonly config: AppConfig) {}

  hit(point: Failpoint): void {
    const crashAt = this.config.failpoints[point];
    if (crashAt === undefined) return;
    const count = (this.hits.get(point) ?? 0) + 1;
    this.hits.set(point, count);
    if (count !== crashAt) return;
    // Synchronous, so the line is out before the process is gone.
    writeSync(
      2,
      `${JSON.stringify({ level: 60, msg: 'failpoint: killing process', failpoint: point, pid: process.pid })}\n`,
    );
    process.kill(process.pid, 'SIGKILL');
  }
}

@Global()
@Module({ providers: [Failpoints], exports: [Failpoints] })
export class FailpointsModule {}
