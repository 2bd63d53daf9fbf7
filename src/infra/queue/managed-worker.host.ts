import { WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { WorkerOptions } from 'bullmq';

/**
 * A processor whose BullMQ worker is declared with `autorun: false` and started from configuration once the
 * application is up, and drained on shutdown while the database is still open (active jobs finish).
 */
export abstract class ManagedWorkerHost extends WorkerHost implements BeforeApplicationShutdown {
  protected readonly workerLogger = new Logger(this.constructor.name);

  protected startWorker(
    options: Partial<Pick<WorkerOptions, 'concurrency' | 'lockDuration' | 'stalledInterval' | 'limiter'>>,
  ): void {
    Object.assign(this.worker.opts, options);
    void this.worker.run().catch((err: unknown) => this.workerLogger.error({ err }, 'worker stopped'));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }
}
