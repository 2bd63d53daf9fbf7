import { DynamicModule, Global, Injectable, Module, Type } from '@nestjs/common';

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
 * Where the code passes a failpoint. In production nothing happens; the chaos suite's development build binds
 * an implementation that kills the process there (src/dev, FAILPOINTS=name=N).
 */
@Injectable()
export class Failpoints {
  hit(_point: Failpoint): void {
    // Production: no failpoints.
  }
}

/** Binds Failpoints for every module: the no-op above unless the composition root passes another class. */
@Global()
@Module({})
export class FailpointsModule {
  static register(implementation: Type<Failpoints> = Failpoints): DynamicModule {
    return {
      module: FailpointsModule,
      providers: [{ provide: Failpoints, useClass: implementation }],
      exports: [Failpoints],
    };
  }
}
