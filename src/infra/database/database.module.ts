import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';

import { AppConfig } from '../../config/app-config';
import { AdvisoryLock } from './advisory-lock';
import { runMigrationsLocked } from './migration-runner';
import { MIGRATIONS } from './migrations';
import { DatabaseHealth } from './database-health';
import { assertReadCommittedDefault, TransactionRunner } from './transaction-runner';

export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.db.url,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    // No session state: DATABASE_URL may point at PgBouncer in transaction mode, where consecutive statements
    // outside a transaction can run on different server connections. So no startup `options` (PgBouncer
    // refuses or drops them), no SET, no session advisory locks, and no named prepared statements (pg sends
    // unnamed ones unless a query carries a `name`, and TypeORM never passes one).
    extra: {
      max: config.db.poolSize,
      // Fail fast when Postgres is down instead of queueing requests behind a dead pool.
      connectionTimeoutMillis: 5000,
      application_name: 'dispatch',
    },
  };
}

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config),
        autoLoadEntities: true,
        migrationsRun: config.db.runMigrations,
      }),
      // TypeORM's own migrationsRun takes no lock; run them ourselves under an advisory lock instead.
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource({ ...options!, migrationsRun: false }).initialize();
        try {
          await assertReadCommittedDefault(dataSource);
          if (options!.migrationsRun) await runMigrationsLocked(dataSource);
        } catch (error) {
          await dataSource.destroy();
          throw error;
        }
        return dataSource;
      },
    }),
  ],
  providers: [TransactionRunner, DatabaseHealth, AdvisoryLock],
  exports: [TransactionRunner, DatabaseHealth, AdvisoryLock],
})
export class DatabaseModule {}
