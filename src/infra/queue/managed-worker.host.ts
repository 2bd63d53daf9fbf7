import { BeforeApplicationShutdown, Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Worker, WorkerOptions } from 'bullmq';

import { AppConfig } from '../../config/app-config';
import { isDependencyUnavailable } from '../errors/dependency-errors';
import { DependencyMonitor } from '../health/dependency-monitor';
import { closeRedisConnection, createRedisConnection } from '../redis/redis-connection.factory';
import { RedisClient } from '../redis/redis.tokens';
import { queuePrefix } from './queue.module';
import { QueueName } from './queue-names';

export type QueueWorkerOptions = Partial<
  Pick<WorkerOptions, 'concurrency' | 'lockDuration' | 'stalledInterval' | 'limiter'>
>;

/**
 * A BullMQ worker built from AppConfig once the application is up (decorator options are static, and
 * BullMQ reads concurrency, lock and limiter settings only at construction), drained on shutdown while the
 * database is still open, and logging every queue event with the job's correlation id.
 */
export abstract class ManagedWorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  protected readonly workerLogger = new Logger(this.constructor.name);
  protected worker?: Worker;
  /** BullMQ uses it for the worker's commands and duplicates it for the blocking fetch; ours to close. */
  private connection?: RedisClient;
  // A property, so the four processors' constructors need not pass it through.
  @Inject(DependencyMonitor) private readonly monitor!: DependencyMonitor;

  protected constructor(
    private readonly queueName: QueueName,
    protected readonly config: AppConfig,
  ) {}

  protected abstract workerOptions(): QueueWorkerOptions;

  abstract process(job: Job): Promise<unknown>;

  onApplicationBootstrap(): void {
    const client = `worker-${this.queueName}`;
    const onError = (error: unknown) => this.monitor.clientError('redis', error, client);
    this.connection = createRedisConnection(this.config, 'bullmq', onError, client);
    const worker = new Worker(this.queueName, (job) => this.process(job), {
      connection: this.connection,
      prefix: queuePrefix(this.config, this.queueName),
      lockDuration: this.config.queues.lockMs,
      stalledInterval: this.config.queues.stalledIntervalMs,
      ...this.workerOptions(),
    });
    const fields = (job?: Job) => ({
      queue: this.queueName,
      jobId: job?.id,
      job: job?.name,
      orderId: (job?.data as { orderId?: string } | undefined)?.orderId,
      correlationId: (job?.data as { correlationId?: string } | undefined)?.correlationId,
    });
    worker.on('active', (job) => this.workerLogger.debug(fields(job), 'job active'));
    worker.on('completed', (job) => this.workerLogger.debug(fields(job), 'job completed'));
    worker.on('failed', (job, error) =>
      this.workerLogger.warn(
        { ...fields(job), attempt: job?.attemptsMade, error: error.message },
        'job failed',
      ),
    );
    worker.on('stalled', (jobId) =>
      this.workerLogger.warn({ queue: this.queueName, jobId }, 'job stalled; it will run again'),
    );
    // Connection errors (its own and its blocking duplicate's) go to the monitor, which logs the outage once.
    worker.on('error', (err) =>
      isDependencyUnavailable(err)
        ? onError(err)
        : this.workerLogger.error({ queue: this.queueName, err }, 'worker error'),
    );
    this.worker = worker;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    if (this.connection) await closeRedisConnection(this.connection);
  }
}
