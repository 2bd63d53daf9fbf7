import { Injectable } from '@nestjs/common';

import { OutboxRepository, StuckOutboxRow } from './outbox.repository';

export type { StuckOutboxRow };

/** What the reconciler and the operator console ask of the outbox: re-dispatch a row, find stuck ones. */
@Injectable()
export class OutboxService {
  constructor(private readonly outbox: OutboxRepository) {}

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
}
