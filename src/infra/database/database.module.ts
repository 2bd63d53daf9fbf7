import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';

import { AppConfig } from '../../config/app-config';
import { runMigrationsLocked } from './migration-runner';
import { MIGRATIONS } from './migrations';
import { DatabaseHealth } from './database-health';
import { TransactionRunner } from './transaction-runner';

export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.db.url,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    // Fail fast when Postgres is down instead of queueing requests behind a dead pool.
    extra: {
      max: config.db.poolSize,
      connectionTimeoutMillis: 5000,
      application_name: 'dispatch',
      // Pinned per connection so TransactionRunner can open READ COMMITTED transactions with a bare BEGIN.
      options: '-c default_transaction_isolation=read\\ committed',
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
        if (options!.migrationsRun) await runMigrationsLocked(dataSource);
        return dataSource;
      },
    }),
  ],
  providers: [TransactionRunner, DatabaseHealth],
  exports: [TransactionRunner, DatabaseHealth],
})
export class DatabaseModule {}
