import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { OutboxRepository } from './outbox.repository';

const CLEANUP_EVERY_MS = 10 * 60_000;

/**
 * Deletes sent rows after OUTBOX_RETENTION_SECONDS, which config validation keeps longer than BullMQ's
 * completed-job retention: while a row exists its job id is still known, so a re-dispatch deduplicates.
 */
@Injectable()
export class OutboxCleanup implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxCleanup.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.purge().catch((err) => this.logger.warn({ err }, 'outbox cleanup failed')),
      CLEANUP_EVERY_MS,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async purge(): Promise<number> {
    const deleted = await this.outbox.purgeSent(this.config.outbox.retentionSeconds);
    if (deleted) this.logger.log({ deleted }, 'purged sent outbox rows');
    return deleted;
  }
}
