import { createHash } from 'node:crypto';

import { Inject, Injectable, Logger } from '@nestjs/common';

import { AppConfig } from '../../config/app-config';
import { NotificationJobPayload } from '../../infra/queue/job-payloads';
import { JobOutcome } from '../../infra/queue/job-outcome';
import { CorrelationContext } from '../../infra/logging/correlation-context';
import { REDIS_CLIENT, RedisClient } from '../../infra/redis/redis.tokens';
import { OrderQueriesService } from '../orders/order-queries.service';
import { OrderRecordsService } from '../orders/order-records.service';
import { UsersService } from '../users/users.service';
import { EmailKind } from './email-kind';
import { EmailData, renderEmail } from './email-templates';
import { Mailer } from './mailer';
import { emailFor } from './notice-routing';
import { NotificationsSentRepository } from './notifications-sent.repository';

export const MAILER = Symbol('MAILER');

/** Second memory of "this email went out", for when Postgres cannot take the record right after the send. */
const sentMarker = (dedupeKey: string) => `email-sent:${dedupeKey}`;
const SENT_MARKER_TTL_SECONDS = 7 * 86400;
/**
 * One Message-ID per dedupe key. A crash between the SMTP server accepting a message and the send being
 * recorded cannot be told from a crash before the send, so that email is sent again (at-least-once); with
 * the same Message-ID, mail stores and clients show it once.
 */
const stableMessageId = (dedupeKey: string) =>
  `<${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 32)}@dispatch.local>`;
/** How long to keep trying to record a send in Postgres (a restart or failover) before giving up. */
const RECORD_ATTEMPTS = 12;
const RECORD_RETRY_MS = 500;

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
 * Turns notices into emails (notice-routing.ts) and sends each at most once per dedupe key ("<kind>:<order
 * id>" for an order's emails, the notice's own key otherwise): a sent-record is claimed
 * before the SMTP call and marked sent after it, so a duplicate or retried job finds it and skips. The job
 * holds a lock on the dedupe key, so two copies of one job never send concurrently.
 */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger(NotificationsService.name);

  constructor(
    private readonly sent: NotificationsSentRepository,
    private readonly config: AppConfig,
    private readonly orders: OrderQueriesService,
    private readonly records: OrderRecordsService,
    private readonly users: UsersService,
    @Inject(MAILER) private readonly mailer: Mailer,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
  ) {}

  async deliver(payload: NotificationJobPayload): Promise<JobOutcome> {
    const kind = emailFor(payload.event);
    if (!kind) return { status: 'skipped', reason: `no email for ${payload.event}` };
    const envelope = await this.envelope(kind, payload);
    if (!envelope) return { status: 'skipped', reason: 'nothing to notify about' };
    // One email of each kind per order (a partial and a full refund are one ORDER_REFUNDED), else per notice.
    const dedupeKey = ORDER_KINDS.has(kind) ? `${kind}:${payload.orderId}` : payload.dedupeKey;

    if (!(await this.sent.claim(dedupeKey, kind, envelope.orderId ?? null, envelope.to))) {
      if ((await this.sent.status(dedupeKey)) === 'sent')
        return { status: 'skipped', reason: 'already sent' };
      // 'sending': an earlier attempt died, or lost Postgres, after the SMTP call. If Redis saw the send,
      // finish the record; otherwise the send itself may not have happened: send again (at-least-once there).
      const sentAs = await this.redis.get(sentMarker(dedupeKey)).catch(() => null);
      if (sentAs) {
        await this.recordSent(dedupeKey, sentAs);
        return { status: 'skipped', reason: 'already sent (recorded by Redis)' };
      }
    }

    const email = renderEmail(kind, envelope.language, envelope.data);
    const headers: Record<string, string> = {
      'X-Dispatch-Kind': kind,
      'X-Dispatch-Dedupe-Key': dedupeKey,
    };
    if (envelope.orderId) headers['X-Dispatch-Order-Id'] = envelope.orderId;
    const correlationId = CorrelationContext.current();
    if (correlationId) headers['X-Correlation-Id'] = correlationId;
    try {
      const { messageId } = await this.mailer.send({
        to: envelope.to,
        ...email,
        headers,
        messageId: stableMessageId(dedupeKey),
      });
      // From here on the email is out: remember that in both stores, so no retry sends it twice.
      await this.redis
        .set(sentMarker(dedupeKey), messageId, 'EX', SENT_MARKER_TTL_SECONDS)
        .catch(() => undefined);
      await this.recordSent(dedupeKey, messageId);
      if (envelope.orderId) await this.records.markStep(envelope.orderId, `email:${kind}`, 'done');
      return { status: 'done' };
    } catch (error) {
      if (envelope.orderId) {
        await this.records.markStep(
          envelope.orderId,
          `email:${kind}`,
          'failed',
          error instanceof Error ? error.message : String(error),
        );
      }
      throw error;
    }
  }

  /** Marks the send in Postgres, riding out a short outage (the email is already out; a retry must skip it). */
  private async recordSent(dedupeKey: string, messageId: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.sent.markSent(dedupeKey, messageId);
        return;
      } catch (error) {
        if (attempt >= RECORD_ATTEMPTS) throw error;
        this.logger.warn({ err: error, dedupeKey, attempt }, 'could not record a sent email yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, RECORD_RETRY_MS * attempt));
      }
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
