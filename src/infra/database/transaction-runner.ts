import { setTimeout as sleep } from 'node:timers/promises';

import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { TransactionConflictError } from '../errors/common.errors';
import { isTransientTransactionError } from './pg-errors';

type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

const DEFAULT_ISOLATION: IsolationLevel = 'READ COMMITTED';
/** Attempts of a transaction that fails with a deadlock or serialisation failure (40P01, 40001). */
export const TRANSACTION_ATTEMPTS = 5;
const RETRY_BASE_MS = 5;

/**
 * The one way to open a transaction. The callback receives the EntityManager explicitly and every
 * repository write takes it as its first argument, so "is this inside the transaction?" is visible.
 * Nothing network-bound (Stripe, BullMQ, Redis) belongs inside the callback, which is also what makes it safe
 * to run again: a transaction Postgres rolled back for a deadlock or a serialisation failure is retried with
 * jittered backoff, and past the last attempt the caller gets TransactionConflictError (503), never a 500.
 */
@Injectable()
export class TransactionRunner {
  private readonly logger = new Logger(TransactionRunner.name);

  constructor(private readonly dataSource: DataSource) {}

  async run<T>(
    work: (em: EntityManager) => Promise<T>,
    isolation: IsolationLevel = DEFAULT_ISOLATION,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        // READ COMMITTED is every connection's default (checked at boot by assertReadCommittedDefault): naming it would cost a
        // `SET TRANSACTION ISOLATION LEVEL` round trip per transaction, two per order placed.
        return isolation === DEFAULT_ISOLATION
          ? await this.dataSource.transaction(work)
          : await this.dataSource.transaction(isolation, work);
      } catch (error) {
        if (!isTransientTransactionError(error)) throw error;
        if (attempt >= TRANSACTION_ATTEMPTS) {
          this.logger.warn(
            { err: error, attempts: attempt },
            'transaction conflict persisted; answering 503',
          );
          throw new TransactionConflictError();
        }
        this.logger.debug({ err: error, attempt }, 'transaction conflict; retrying');
        await sleep(Math.random() * RETRY_BASE_MS * 2 ** attempt);
      }
    }
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
