import { loadProcessConfig } from './config/load-config';
import { dataSourceOptions } from './infra/database/database.module';
import { migrateDatabase } from './infra/database/migration-runner';

/** `npm run migration:run`: applies pending migrations and exits. */
async function main(): Promise<void> {
  const applied = await migrateDatabase(dataSourceOptions(loadProcessConfig()));
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
