import { DataSource } from 'typeorm';

import { loadProcessConfig } from './config/load-config';
import { dataSourceOptions } from './infra/database/database.module';
import { runMigrationsLocked } from './infra/database/migration-runner';

/** `npm run migration:run`: applies pending migrations and exits. */
async function main(): Promise<void> {
  const dataSource = await new DataSource(dataSourceOptions(loadProcessConfig())).initialize();
  try {
    const applied = await runMigrationsLocked(dataSource);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations');
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
