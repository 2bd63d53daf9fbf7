import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { AppConfig } from '../../config/app-config';
import { OutboxBatchRelay, RelayedRow } from './outbox-batch.relay';
import { OutboxRepository, StuckOutboxRow } from './outbox.repository';

export type { RelayedRow, StuckOutboxRow };

/**
 * What the reconciler and the operator console ask of the outbox: re-dispatch a row, find stuck ones, relay
 * what is unsent now.
 */
@Injectable()
export class OutboxService {
  constructor(
    private readonly config: AppConfig,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxBatchRelay,
  ) {}

  /** Re-sends a row (its job was lost with Redis): the relay re-creates the job under the same job id. */
  redispatch(outboxId: string): Promise<boolean> {
    return this.outbox.redispatch(outboxId);
  }

  /** Rows the relay has not sent for longer than `olderThanSeconds`, oldest first. */
  stuck(olderThanSeconds: number, limit: number): Promise<StuckOutboxRow[]> {
    return this.outbox.stuck(olderThanSeconds, limit);
  }

  stuckSummary(olderThanSeconds: number): Promise<{ count: number; oldest: Date | null }> {
    return this.outbox.stuckSummary(olderThanSeconds);
  }

  /**
   * Relays the unsent rows now, batch after batch as the relay loop does, until a batch comes back less than
   * full (rows another relay holds are skipped; BullMQ deduplicates by job id). `onRelayed` runs in each
   * batch's transaction.
   */
  async relayUnsent(
    onRelayed: (em: EntityManager, rows: RelayedRow[]) => Promise<void>,
  ): Promise<RelayedRow[]> {
    const relayed: RelayedRow[] = [];
    let count: number;
    do {
      count = await this.relay.relayBatch(async (em, rows) => {
        await onRelayed(em, rows);
        relayed.push(...rows);
      });
    } while (count === this.config.outbox.batchSize);
    return relayed;
  }
}
