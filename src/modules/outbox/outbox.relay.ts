import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Client } from 'pg';

import { AppConfig } from '../../config/app-config';
import { isDependencyUnavailable } from '../../infra/errors/dependency-errors';
import { OutboxBatchRelay } from './outbox-batch.relay';

const NOTIFY_CHANNEL = 'outbox_inserted';

/**
 * Moves committed outbox rows into BullMQ, batch after batch (OutboxBatchRelay). While batches come back full
 * it re-enters with setImmediate; when idle it sleeps until Postgres NOTIFY or the fallback poll interval.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** A NOTIFY arrived since the current batch started (its rows may have committed after the SELECT). */
  private notified = false;
  private listener?: Client;
  private listenerRetry?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly batch: OutboxBatchRelay,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    void this.listen();
    this.loop = this.run();
  }

  /** Stops after the batch in progress (its transaction commits or rolls back), before the pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    clearTimeout(this.listenerRetry);
    await this.loop;
    await this.listener?.end().catch(() => undefined);
  }

  /** Relays one batch; returns how many rows it dispatched. Public for tests. */
  relayBatch(): Promise<number> {
    return this.batch.relayBatch();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let relayed = 0;
      let failed = false;
      this.notified = false;
      try {
        relayed = await this.relayBatch();
      } catch (error) {
        failed = true;
        // Postgres or Redis down: DependencyMonitor logs the outage; a line per poll here would flood.
        if (isDependencyUnavailable(error))
          this.logger.debug({ err: error }, 'outbox relay batch failed; retrying after the poll interval');
        else this.logger.error({ err: error }, 'outbox relay batch failed; retrying after the poll interval');
      }
      if (!this.running) break;
      if (relayed === this.config.outbox.batchSize) {
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      // A commit notified while the batch ran: relay again now instead of sleeping until the poll interval
      // (the NOTIFY that woke nobody would otherwise cost its rows up to OUTBOX_POLL_MS of lag).
      if (this.notified && !failed) continue;
      await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.config.outbox.pollMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async listen(): Promise<void> {
    if (!this.running) return;
    // LISTEN is session state: it needs a direct connection of its own (DATABASE_LISTEN_URL), never one
    // through a transaction-mode pooler, where it would register on some pooled server connection and its
    // notifications would reach nobody.
    const client = new Client({
      connectionString: this.config.db.listenUrl,
      application_name: 'dispatch-outbox-listener',
    });
    client.on('notification', () => {
      this.notified = true;
      this.wake?.();
    });
    client.on('error', (error) => {
      const level = isDependencyUnavailable(error) ? 'debug' : 'warn';
      this.logger[level]({ err: error }, 'outbox listener lost; falling back to polling until it reconnects');
      void client.end().catch(() => undefined);
      this.listenerRetry = setTimeout(() => void this.listen(), 1000);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      this.listener = client;
      if (!this.running) await client.end();
    } catch (error) {
      // Retried every second: while Postgres is down, DependencyMonitor speaks for it.
      const level = isDependencyUnavailable(error) ? 'debug' : 'warn';
      this.logger[level]({ err: error }, 'outbox listener could not connect; polling');
      await client.end().catch(() => undefined);
      if (this.running) this.listenerRetry = setTimeout(() => void this.listen(), 1000);
    }
  }
}
