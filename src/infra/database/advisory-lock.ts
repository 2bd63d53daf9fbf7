import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Keys of the Postgres advisory locks Dispatch processes take (arbitrary constants, one per purpose). */
export const AdvisoryLockKey = {
  /** One reconciler round at a time across every worker process. */
  reconcilerRound: 7_340_915_022,
} as const;

export type AdvisoryLockResult<T> = { acquired: true; value: T } | { acquired: false };

/**
 * Mutual exclusion between processes held by Postgres itself: a transaction-scoped advisory lock on a
 * connection of the pool, kept open while `work` runs (on other connections). Unlike a Redis lease it cannot
 * lapse while its holder is alive and busy, and it is gone the moment the holder's connection is (a crash
 * ends the transaction). Transaction-scoped so that it also works through a transaction-mode pooler, where
 * a session lock and its unlock could land on different server connections.
 */
@Injectable()
export class AdvisoryLock {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` while holding the lock, after waiting for any other holder to finish. */
  async run<T>(key: number, work: () => Promise<T>): Promise<T> {
    const result = await this.hold(key, true, work);
    if (!result.acquired) throw new Error(`advisory lock ${key} was not taken`);
    return result.value;
  }

  /** Runs `work` while holding the lock, or gives up at once when another process holds it. */
  tryRun<T>(key: number, work: () => Promise<T>): Promise<AdvisoryLockResult<T>> {
    return this.hold(key, false, work);
  }

  private async hold<T>(key: number, wait: boolean, work: () => Promise<T>): Promise<AdvisoryLockResult<T>> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      if (wait) await runner.query('SELECT pg_advisory_xact_lock($1)', [key]);
      else {
        const [row]: { locked: boolean }[] = await runner.query(
          'SELECT pg_try_advisory_xact_lock($1) AS locked',
          [key],
        );
        if (!row.locked) {
          await runner.rollbackTransaction();
          return { acquired: false };
        }
      }
      const value = await work();
      // Ending the transaction releases the lock; nothing was written in it, so either way is the same.
      await runner.commitTransaction();
      return { acquired: true, value };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }
}
