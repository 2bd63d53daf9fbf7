import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** `notifications_sent`: one row per email that must go out once (its dedupe key). */
@Injectable()
export class NotificationsSentRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Claims the send (status `sending`); false when a row exists already. */
  async claim(dedupeKey: string, kind: string, orderId: string | null, recipient: string): Promise<boolean> {
    const claimed: unknown[] = await this.dataSource.query(
      `INSERT INTO notifications_sent (dedupe_key, kind, order_id, recipient, status) VALUES ($1, $2, $3, $4, 'sending')
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING dedupe_key`,
      [dedupeKey, kind, orderId, recipient],
    );
    return claimed.length > 0;
  }

  async status(dedupeKey: string): Promise<'sending' | 'sent' | null> {
    const [row]: { status: 'sending' | 'sent' }[] = await this.dataSource.query(
      `SELECT status FROM notifications_sent WHERE dedupe_key = $1`,
      [dedupeKey],
    );
    return row?.status ?? null;
  }

  async markSent(dedupeKey: string, messageId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE notifications_sent SET status = 'sent', message_id = $2, sent_at = now() WHERE dedupe_key = $1`,
      [dedupeKey, messageId],
    );
  }
}
