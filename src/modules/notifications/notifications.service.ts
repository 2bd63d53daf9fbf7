import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { AppConfig } from '../../config/app-config';
import { NotificationJobPayload } from '../../infra/queue/job-payloads';
import { JobOutcome } from '../../infra/queue/job-outcome';
import { CorrelationContext } from '../../infra/logging/correlation-context';
import { OrderStepsRepository } from '../orders/order-steps.repository';
import { OrdersRepository } from '../orders/orders.repository';
import { UsersService } from '../users/users.service';
import { EmailKind } from './email-kind';
import { EmailData, renderEmail } from './email-templates';
import { Mailer } from './mailer';

export const MAILER = Symbol('MAILER');

interface Envelope {
  to: string;
  language: 'en' | 'pt-BR';
  data: EmailData;
  orderId?: string;
}

const ORDER_KINDS = new Set<string>([
  EmailKind.ORDER_CONFIRMED,
  EmailKind.ORDER_SHIPPED,
  EmailKind.ORDER_DELIVERED,
  EmailKind.ORDER_CANCELLED,
  EmailKind.ORDER_REFUNDED,
]);

/**
 * Sends each email at most once per dedupe key ("<kind>:<order or export id>"): a sent-record is claimed
 * before the SMTP call and marked sent after it, so a duplicate or retried job finds it and skips. The job
 * holds a lock on the dedupe key, so two copies of one job never send concurrently.
 */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger(NotificationsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly orders: OrdersRepository,
    private readonly steps: OrderStepsRepository,
    private readonly users: UsersService,
    @Inject(MAILER) private readonly mailer: Mailer,
  ) {}

  async deliver(payload: NotificationJobPayload): Promise<JobOutcome> {
    const kind = payload.kind as EmailKind;
    const envelope = await this.envelope(kind, payload);
    if (!envelope) return { status: 'skipped', reason: 'nothing to notify about' };

    const claimed: unknown[] = await this.dataSource.query(
      `INSERT INTO notifications_sent (dedupe_key, kind, order_id, recipient, status) VALUES ($1, $2, $3, $4, 'sending')
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING dedupe_key`,
      [payload.dedupeKey, kind, envelope.orderId ?? null, envelope.to],
    );
    if (claimed.length === 0) {
      const [existing]: { status: string }[] = await this.dataSource.query(
        `SELECT status FROM notifications_sent WHERE dedupe_key = $1`,
        [payload.dedupeKey],
      );
      // 'sending' means an earlier attempt died before recording success: send again (at-least-once there).
      if (existing?.status === 'sent') return { status: 'skipped', reason: 'already sent' };
    }

    const email = renderEmail(kind, envelope.language, envelope.data);
    const headers: Record<string, string> = {
      'X-Dispatch-Kind': kind,
      'X-Dispatch-Dedupe-Key': payload.dedupeKey,
    };
    if (envelope.orderId) headers['X-Dispatch-Order-Id'] = envelope.orderId;
    const correlationId = CorrelationContext.current();
    if (correlationId) headers['X-Correlation-Id'] = correlationId;
    try {
      const { messageId } = await this.mailer.send({ to: envelope.to, ...email, headers });
      await this.dataSource.query(
        `UPDATE notifications_sent SET status = 'sent', message_id = $2, sent_at = now() WHERE dedupe_key = $1`,
        [payload.dedupeKey, messageId],
      );
      if (envelope.orderId) await this.steps.mark(envelope.orderId, `email:${kind}`, 'done');
      return { status: 'done' };
    } catch (error) {
      if (envelope.orderId) {
        await this.steps.mark(
          envelope.orderId,
          `email:${kind}`,
          'failed',
          error instanceof Error ? error.message : String(error),
        );
      }
      throw error;
    }
  }

  private async envelope(kind: EmailKind, payload: NotificationJobPayload): Promise<Envelope | null> {
    if (ORDER_KINDS.has(kind)) {
      const order = await this.orders.find(payload.orderId);
      if (!order) return null;
      const user = await this.users.get(order.userId);
      return {
        to: user.email,
        language: user.language === 'pt-BR' ? 'pt-BR' : 'en',
        orderId: order.id,
        data: {
          customerName: user.name,
          orderId: order.id,
          totalCents: order.totalCents,
          currency: order.currency,
          carrier: order.carrier ?? undefined,
          trackingNumber: order.trackingNumber ?? undefined,
          refundedCents: order.refundedCents,
        },
      };
    }
    if (kind === EmailKind.ADMIN_ALERT) {
      return { to: this.config.mail.adminAlertEmail, language: 'en', data: { alert: payload.alert } };
    }
    if (kind === EmailKind.EXPORT_READY) {
      const requester = payload.requestedBy ? await this.users.get(payload.requestedBy) : null;
      return {
        to: requester?.email ?? this.config.mail.adminAlertEmail,
        language: requester?.language === 'pt-BR' ? 'pt-BR' : 'en',
        data: {
          exportId: payload.exportId,
          rowCount: payload.rowCount,
          downloadPath: `/v1/exports/${payload.exportId}/download`,
        },
      };
    }
    this.logger.warn({ kind }, 'unknown notification kind');
    return null;
  }
}
