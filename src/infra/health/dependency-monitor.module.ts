import { Global, Module } from '@nestjs/common';

import { DependencyMonitor } from './dependency-monitor';

/** The process's watch over Postgres and Redis (DatabaseModule and RedisModule register their probes). */
@Global()
@Module({ providers: [DependencyMonitor], exports: [DependencyMonitor] })
export class DependencyMonitorModule {}
