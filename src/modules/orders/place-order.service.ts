import { createHash } from 'node:crypto';

import { Inject, Injectable, Logger } from '@nestjs/common';

import { AppConfig } from '../../config/app-config';
import { Failpoint, Failpoints } from '../../infra/chaos/failpoints';
import { TransactionRunner } from '../../infra/database/transaction-runner';
import { DomainError } from '../../infra/errors/domain-error';
import { REDIS_CLIENT, RedisClient } from '../../infra/redis/redis.tokens';
import { AuthUser } from '../auth/auth-user';
import { CatalogService } from '../catalog/catalog.service';
import { OutboxWriter } from '../outbox/outbox.writer';
import { PaymentProviderError, PaymentProviderUnavailableError } from '../payments/payments.errors';
import { StripeClient } from '../payments/stripe/stripe.client';
import { CreateOrderDto } from './dto/create-order.dto';
import { Order } from './order.entity';
import { toOrderResponse, OrderResponse } from './order.response';
import { OrderStatus } from './order-state';
import { IdempotencyRepository } from './idempotency.repository';
import { orderEvents } from './orders.events';
import {
  IdempotencyKeyRequiredError,
  IdempotencyKeyReusedError,
  IdempotencyRequestInFlightError,
  MixedCurrencyError,
  OrderTotalTooLargeError,
} from './orders.errors';
import { OrderStateWriter } from './order-state.writer';
import { OrdersRepository } from './orders.repository';

export interface PlacedOrder {
  status: number;
  body: OrderResponse;
}

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/**
 * Stripe's largest amount for a two-decimal currency (999,999.99). Checked before the order is written: past it
 * the PaymentIntent is refused after commit (a 502 and a cancelled order), and past 2^31 - 1 the insert fails.
 */
export const MAX_ORDER_TOTAL_CENTS = 99_999_999;

/** Redis key marking "this user's key is being processed now" (the key is hashed: clients choose it). */
const inFlightMarker = (userId: string, key: string) =>
  `idem:${userId}:${createHash('sha256').update(key).digest('hex')}`;

/** Stable JSON (sorted keys) so the same body always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * POST /orders. One transaction claims the idempotency key, reserves stock (guarded, in item order),
 * inserts order + lines + history and the outbox row that closes the payment window. The PaymentIntent
 * is created after commit with key `pi:<orderId>`; if Stripe fails the order is cancelled and its
 * stock released in one transaction, and the key is freed for a retry.
 */
@Injectable()
export class PlaceOrderService {
  private readonly logger = new Logger(PlaceOrderService.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly orders: OrdersRepository,
    private readonly state: OrderStateWriter,
    private readonly idempotency: IdempotencyRepository,
    private readonly outbox: OutboxWriter,
    private readonly stripe: StripeClient,
    private readonly catalog: CatalogService,
    private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly failpoints: Failpoints,
  ) {}

  async place(user: AuthUser, key: string | undefined, input: CreateOrderDto): Promise<PlacedOrder> {
    if (!key || !KEY_FORMAT.test(key)) throw new IdempotencyKeyRequiredError();
    const requestHash = createHash('sha256').update(canonical(input)).digest('hex');

    const previous = await this.idempotency.find(user.id, key);
    if (previous) return this.replay(user, key, requestHash, previous);

    const marker = inFlightMarker(user.id, key);
    await this.claimInFlight(marker, requestHash);
    try {
      const order = await this.tx.run(async (em) => {
        await this.idempotency.claim(em, user.id, key, requestHash);
        const lines = await this.orders.reserveStock(em, mergeLines(input.items));
        const currencies = new Set(lines.map((l) => l.currency));
        if (currencies.size !== 1) throw new MixedCurrencyError();
        const totalCents = lines.reduce((sum, l) => sum + l.unitPriceCents * l.quantity, 0);
        if (totalCents > MAX_ORDER_TOTAL_CENTS)
          throw new OrderTotalTooLargeError(totalCents, MAX_ORDER_TOTAL_CENTS);
        const paymentDueAt = new Date(Date.now() + this.config.orders.paymentWindowSeconds * 1000);
        const created = await this.orders.insert(em, {
          userId: user.id,
          currency: [...currencies][0],
          shippingAddress: { ...input.shippingAddress },
          paymentDueAt,
          lines,
        });
        await this.idempotency.attachOrder(em, user.id, key, created.id);
        await this.outbox.append(em, orderEvents.paymentWindowCloses(created.id, paymentDueAt));
        return created;
      });
      await this.catalog.invalidate(...order.lines.map((l) => l.itemId));
      this.failpoints.hit(Failpoint.OrderCommitted);
      return await this.requestPayment(user, key, order);
    } finally {
      await this.redis.del(marker).catch(() => undefined);
    }
  }

  private async replay(
    user: AuthUser,
    key: string,
    requestHash: string,
    previous: {
      requestHash: string;
      orderId: string | null;
      responseStatus: number | null;
      responseBody: unknown;
    },
  ): Promise<PlacedOrder> {
    if (previous.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
    if (previous.responseStatus !== null) {
      return { status: previous.responseStatus, body: previous.responseBody as OrderResponse };
    }
    // Claimed but unanswered: either still in flight, or the process died after commit. Resume the latter.
    const marker = inFlightMarker(user.id, key);
    await this.claimInFlight(marker, requestHash);
    try {
      // Re-read under the marker: the first request may have answered since we looked.
      const current = await this.idempotency.find(user.id, key);
      if (current?.responseStatus != null) {
        return { status: current.responseStatus, body: current.responseBody as OrderResponse };
      }
      const order = previous.orderId ? await this.orders.find(previous.orderId) : null;
      if (!order) throw new IdempotencyRequestInFlightError();
      // PaymentIntent creation is idempotent (`pi:<orderId>`): resuming returns the same intent and secret.
      if (order.status === OrderStatus.Pending) return await this.requestPayment(user, key, order);
      const body = toOrderResponse(order);
      await this.tx.run((em) => this.idempotency.complete(em, user.id, key, 201, body));
      return { status: 201, body };
    } finally {
      await this.redis.del(marker).catch(() => undefined);
    }
  }

  /**
   * How long a request can be in flight: every Stripe attempt timing out, plus slack for Postgres. A marker
   * left by a process that died expires after this, and the client's retry resumes the order.
   */
  private inFlightTtlSeconds(): number {
    const { timeoutMs, maxRetries } = this.config.stripe;
    return Math.ceil((timeoutMs * (maxRetries + 1)) / 1000) + 5;
  }

  /** Redis marker for "this key is being processed right now"; the database claim is the backstop. */
  private async claimInFlight(marker: string, requestHash: string): Promise<void> {
    if (this.redis.status !== 'ready') return;
    let acquired: string | null;
    try {
      acquired = await this.redis.set(marker, requestHash, 'EX', this.inFlightTtlSeconds(), 'NX');
    } catch {
      return;
    }
    if (acquired) return;
    const holder = await this.redis.get(marker).catch(() => null);
    if (holder && holder !== requestHash) throw new IdempotencyKeyReusedError();
    throw new IdempotencyRequestInFlightError();
  }

  private async requestPayment(user: AuthUser, key: string, order: Order): Promise<PlacedOrder> {
    try {
      const intent = await this.stripe.createPaymentIntent({
        orderId: order.id,
        amountCents: order.totalCents,
        currency: order.currency,
        idempotencyKey: `pi:${order.id}`,
      });
      const body = toOrderResponse({ ...order, paymentIntentId: intent.id }, intent.clientSecret);
      await this.orders.attachPaymentIntent(order.id, intent.id, { userId: user.id, key, status: 201, body });
      this.failpoints.hit(Failpoint.OrderAnswered);
      this.logger.log(
        { orderId: order.id, totalCents: order.totalCents, paymentIntentId: intent.id },
        'order placed',
      );
      return { status: 201, body };
    } catch (error) {
      if (error instanceof PaymentProviderUnavailableError || error instanceof PaymentProviderError) {
        await this.abandon(user, key, order, error);
      }
      throw error;
    }
  }

  /** Stripe failed: cancel the order, give the stock back and free the key, all in one transaction. */
  private async abandon(user: AuthUser, key: string, order: Order, error: DomainError): Promise<void> {
    const released = await this.tx.run(async (em) => {
      const current = await this.orders.lock(em, order.id);
      if (current?.status === OrderStatus.Pending) {
        await this.state.transition(em, current, OrderStatus.Cancelled, {
          actor: 'system',
          reason: `payment provider failed: ${error.code}`,
        });
      }
      const items = await this.orders.releaseStock(em, order.id);
      await this.idempotency.release(em, user.id, key);
      return items;
    });
    await this.catalog.invalidate(...released);
    this.logger.warn({ orderId: order.id, code: error.code }, 'order cancelled: payment provider failed');
  }
}

function mergeLines(items: { itemId: string; quantity: number }[]): { itemId: string; quantity: number }[] {
  const merged = new Map<string, number>();
  for (const item of items) merged.set(item.itemId, (merged.get(item.itemId) ?? 0) + item.quantity);
  return [...merged].map(([itemId, quantity]) => ({ itemId, quantity }));
}
