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
    // READ COMMITTED is every connection's default (checked at boot by assertReadCommittedDefault): naming it
    // would cost a `SET TRANSACTION ISOLATION LEVEL` round trip per transaction, two per order placed.
    return isolation === DEFAULT_ISOLATION
      ? this.dataSource.transaction(work)
      : this.dataSource.transaction(isolation, work);
  }
}

/**
 * TransactionRunner opens READ COMMITTED transactions with a bare BEGIN, so the server's default isolation
 * must be READ COMMITTED (Postgres' own default). It cannot be pinned per connection: through a
 * transaction-mode pooler the startup `options` never reach the server. Checked once at boot; a server,
 * database or role configured otherwise stops the process with what to change.
 */
export async function assertReadCommittedDefault(dataSource: DataSource): Promise<void> {
  const [{ isolation }]: { isolation: string }[] = await dataSource.query(
    `SELECT current_setting('default_transaction_isolation') AS isolation`,
  );
  if (isolation !== 'read committed') {
    throw new Error(
      `Postgres default_transaction_isolation is '${isolation}', Dispatch needs 'read committed' (the Postgres ` +
        `default): ALTER DATABASE <db> SET default_transaction_isolation = 'read committed' (or fix it for the ` +
        `role or in postgresql.conf)`,
    );
  }
}
