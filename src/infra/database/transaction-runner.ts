import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

const DEFAULT_ISOLATION: IsolationLevel = 'READ COMMITTED';

/**
 * The one way to open a transaction. The callback receives the EntityManager explicitly and every
 * repository write takes it as its first argument, so "is this inside the transaction?" is visible.
 * Nothing network-bound (Stripe, BullMQ, Redis) belongs inside the callback.
 */
@Injectable()
export class TransactionRunner {
  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (em: EntityManager) => Promise<T>, isolation: IsolationLevel = 'READ COMMITTED'): Promise<T> {
    // READ COMMITTED is every connection's default (pinned in dataSourceOptions): naming it would cost a
    // `SET TRANSACTION ISOLATION LEVEL` round trip per transaction, two per order placed.
    return isolation === DEFAULT_ISOLATION
      ? this.dataSource.transaction(work)
      : this.dataSource.transaction(isolation, work);
  }
}
