import { DataSource } from 'typeorm';

// Arbitrary constant: the advisory lock key every Dispatch process takes while migrating.
const MIGRATION_LOCK_KEY = 7_340_915_021;

/**
 * Runs pending migrations under a session-level advisory lock, so an api and a worker starting
 * together never run the same migration twice.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
