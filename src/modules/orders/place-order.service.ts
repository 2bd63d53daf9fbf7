import { Inject, Injectable, Logger } from '@nestjs/common';

import { AppConfig } from '../../config/app-config';
import { Failpoint, Failpoints } from '../../infra/failpoints/failpoints';
import { TransactionRunner } from '../../infra/database/transaction-runner';
import { DomainError } from '../../infra/errors/domain-error';
import { CorrelationContext } from '../../infra/logging/correlation-context';
import { AuthUser } from '../access/auth-user';
import { CatalogService } from '../catalog/catalog.service';
import { OutboxWriter } from '../outbox/outbox.writer';
import { PaymentProviderError, PaymentProviderUnavailableError } from '../payments/payments.errors';
import { MAXIMUM_CHARGE_MINOR_UNITS, minimumCharge } from '../payments/stripe/charge-limits';
import { CreateOrderDto } from './dto/create-order.dto';
import { IdempotencyRepository } from './idempotency.repository';
import { IdempotentAnswer, IdempotentRequests } from './idempotent-requests.service';
import { Order } from './order';
import { toOrderResponse, OrderResponse } from './order.response';
import { OrderStatus } from './order-state';
import { orderEvents } from './orders.events';
import {
  CurrencyNotSupportedError,
  IdempotencyRequestInFlightError,
  MixedCurrencyError,
  OrderTotalTooLargeError,
  OrderTotalTooSmallError,
} from './orders.errors';
import { OrderStateWriter } from './order-state.writer';
import { OrdersRepository } from './orders.repository';
import { PAYMENT_GATEWAY, PaymentGateway } from '../payments/stripe/payment-gateway';

export type PlacedOrder = IdempotentAnswer<OrderResponse>;

const SCOPE = 'orders.place';

/** Refuses a total Stripe cannot charge, before anything is written (the transaction rolls back). */
function assertChargeable(totalCents: number, currency: string): void {
  const min = minimumCharge(currency);
  if (min === undefined) throw new CurrencyNotSupportedError(currency);
  if (totalCents < min) throw new OrderTotalTooSmallError(totalCents, min, currency);
  if (totalCents > MAXIMUM_CHARGE_MINOR_UNITS)
    throw new OrderTotalTooLargeError(totalCents, MAXIMUM_CHARGE_MINOR_UNITS);
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
    private readonly keys: IdempotencyRepository,
    private readonly idempotent: IdempotentRequests,
    private readonly outbox: OutboxWriter,
    @Inject(PAYMENT_GATEWAY) private readonly stripe: PaymentGateway,
    private readonly catalog: CatalogService,
    private readonly config: AppConfig,
    private readonly failpoints: Failpoints,
  ) {}

  async place(user: AuthUser, rawKey: string | undefined, input: CreateOrderDto): Promise<PlacedOrder> {
    const key = this.idempotent.requireKey(rawKey);
    const requestHash = this.idempotent.hash({ scope: SCOPE, request: input });

    const previous = await this.idempotent.find(user.id, SCOPE, key);
    if (previous) {
      const answer = this.idempotent.answerOf(previous, requestHash);
      if (answer) return answer as PlacedOrder;
      return this.idempotent.whileInFlight(user.id, SCOPE, key, requestHash, () => this.resume(user, key));
    }

    return this.idempotent.whileInFlight(user.id, SCOPE, key, requestHash, async () => {
      const order = await this.tx.run(async (em) => {
        await this.keys.claim(em, user.id, SCOPE, key, requestHash);
        const lines = await this.catalog.reserveStock(em, mergeLines(input.items));
        const currencies = new Set(lines.map((l) => l.currency));
        if (currencies.size !== 1) throw new MixedCurrencyError();
        const [currency] = [...currencies];
        assertChargeable(
          lines.reduce((sum, l) => sum + l.unitPriceCents * l.quantity, 0),
          currency,
        );
        const paymentDueAt = new Date(Date.now() + this.config.orders.paymentWindowSeconds * 1000);
        const created = await this.orders.insert(em, {
          userId: user.id,
          currency,
          shippingAddress: { ...input.shippingAddress },
          paymentDueAt,
          lines,
        });
        await this.keys.attachOrder(em, user.id, SCOPE, key, created.id);
        await this.outbox.append(em, orderEvents.paymentWindowCloses(created.id, paymentDueAt));
        return created;
      });
      await this.catalog.invalidate(...order.lines.map((l) => l.itemId));
      this.failpoints.hit(Failpoint.OrderCommitted);
      return this.requestPayment(user, key, order, CorrelationContext.current() ?? null);
    });
  }

  /** Claimed but unanswered: either still in flight, or the process died after commit. Resume the latter. */
  private async resume(user: AuthUser, key: string): Promise<PlacedOrder> {
    // Re-read under the marker: the first request may have answered since we looked.
    const current = await this.idempotent.find(user.id, SCOPE, key);
    if (current?.responseStatus != null) {
      return { status: current.responseStatus, body: current.responseBody as OrderResponse };
    }
    const order = current?.orderId ? await this.orders.find(current.orderId) : null;
    if (!order) throw new IdempotencyRequestInFlightError();
    // PaymentIntent creation is idempotent (`pi:<orderId>`): resuming returns the same intent and secret, as
    // long as the request is the same, so it carries the correlation id of the request that placed the order.
    if (order.status === OrderStatus.Pending) {
      const [placedBy] = await this.orders.history(order.id);
      return this.requestPayment(user, key, order, placedBy?.correlationId ?? null);
    }
    const body = toOrderResponse(order);
    await this.tx.run((em) => this.keys.complete(em, user.id, SCOPE, key, { status: 201, body }));
    return { status: 201, body };
  }

  private async requestPayment(
    user: AuthUser,
    key: string,
    order: Order,
    correlationId: string | null,
  ): Promise<PlacedOrder> {
    try {
      const intent = await this.stripe.createPaymentIntent({
        orderId: order.id,
        amountCents: order.totalCents,
        currency: order.currency,
        idempotencyKey: `pi:${order.id}`,
        correlationId,
      });
      const body = toOrderResponse({ ...order, paymentIntentId: intent.id }, intent.clientSecret);
      await this.orders.attachPaymentIntent(order, intent.id, { userId: user.id, key, status: 201, body });
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
      let items: string[] = [];
      if (current?.status === OrderStatus.Pending) {
        ({ releasedItems: items } = await this.state.apply(em, current, OrderStatus.Cancelled, {
          actor: { kind: 'system' },
          reason: `payment provider failed: ${error.code}`,
        }));
      }
      await this.keys.release(em, user.id, SCOPE, key);
      return items;
    });
    await this.catalog.invalidate(...released);
    this.logger.warn({ orderId: order.id, code: error.code }, 'order cancelled: payment provider failed');
  }
}

/** One line per item (lower-cased ids, so the lock order is the same whatever case the client sent). */
function mergeLines(items: { itemId: string; quantity: number }[]): { itemId: string; quantity: number }[] {
  const merged = new Map<string, number>();
  for (const item of items) {
    const itemId = item.itemId.toLowerCase();
    merged.set(itemId, (merged.get(itemId) ?? 0) + item.quantity);
  }
  return [...merged].map(([itemId, quantity]) => ({ itemId, quantity }));
}
