import { getQueueToken } from '@nestjs/bullmq';
import { Global, Module, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Queue } from 'bullmq';

import { QueueName } from '../queue/queue-names';
import { Metrics } from './metrics.service';

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

@Global()
@Module({ providers: [Metrics], exports: [Metrics] })
export class MetricsModule implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Queue depth per queue and state, read from Redis at scrape time. */
  onModuleInit(): void {
    const queues = Object.values(QueueName).map((name) => ({
      name,
      queue: this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }),
    }));
    this.metrics.addCollector(async () => {
      for (const { name, queue } of queues) {
        const counts = await queue.getJobCounts(...STATES);
        for (const state of STATES) this.metrics.queueJobs.set({ queue: name, state }, counts[state] ?? 0);
      }
    });
  }
}
