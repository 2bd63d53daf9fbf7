import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';

import { AppConfig } from '../../config/app-config';
import { DependencyUnreachableError, isDependencyUnavailable } from '../errors/dependency-errors';
import { DependencyMonitor } from '../health/dependency-monitor';
import { AdvisoryLock } from './advisory-lock';
import { runMigrationsLocked } from './migration-runner';
import { MIGRATIONS } from './migrations';
import { DatabaseHealth } from './database-health';
import { assertReadCommittedDefault, TransactionRunner } from './transaction-runner';

/** Where Postgres is, for log lines: `host:port` of DATABASE_URL. */
export function postgresTarget(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname || 'localhost'}:${parsed.port || 5432}`;
}

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
        // A process that cannot reach Postgres at boot stops within seconds, naming where it looked, so a
        // supervisor restarts it (instead of TypeORM's default 9 retries, 3 s apart, in silence).
        retryAttempts: 2,
        retryDelay: 1000,
      }),
      // TypeORM's own migrationsRun takes no lock; run them ourselves under an advisory lock instead.
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource({ ...options!, migrationsRun: false })
          .initialize()
          .catch((error: unknown) => {
            const url = (options as { url?: string }).url;
            throw url && isDependencyUnavailable(error)
              ? new DependencyUnreachableError('postgres', postgresTarget(url), error)
              : error;
          });
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
export class DatabaseModule {
  constructor(config: AppConfig, monitor: DependencyMonitor, health: DatabaseHealth) {
    monitor.watch('postgres', postgresTarget(config.db.url), () => health.ping());
  }
}
