import { DataSource, DataSourceOptions, MigrationExecutor } from 'typeorm';

// Arbitrary constant: the advisory lock key every Dispatch process takes while migrating.
const MIGRATION_LOCK_KEY = 7_340_915_021;

/**
 * Runs every pending migration in one transaction that first takes a transaction-scoped advisory lock, so an
 * api and a worker starting together never run the same migration twice: the second waits for the first to
 * commit, then finds nothing pending. Transaction-scoped on purpose: COMMIT or ROLLBACK releases it on the
 * server connection that took it, so it also works through a transaction-mode pooler (PgBouncer), where a
 * session lock and its unlock could land on different server connections and the lock would stay behind.
 * Migrations must therefore not opt out of the transaction (`transaction = false` is refused).
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.startTransaction();
    await runner.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'all';
    const applied = await executor.executePendingMigrations();
    await runner.commitTransaction();
    return applied.map((m) => m.name);
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
}

/**
 * `npm run migration:run` and `dispatch migrate`: connects on its own (no application needed), applies the
 * pending migrations, runs `afterwards` on the same connection (the CLI writes its audit row there), closes.
 */
export async function migrateDatabase(
  options: DataSourceOptions,
  afterwards?: (dataSource: DataSource, applied: string[]) => Promise<void>,
): Promise<string[]> {
  const dataSource = await new DataSource(options).initialize();
  try {
    const applied = await runMigrationsLocked(dataSource);
    await afterwards?.(dataSource, applied);
    return applied;
  } finally {
    await dataSource.destroy();
  }
}
