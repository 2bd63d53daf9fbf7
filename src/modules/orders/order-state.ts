import { notice, OutboxMessage, OutboxType } from '../outbox/outbox-message';
import { LedgerFacts } from '../payments/ledger/ledger';
import { IllegalOrderTransitionError, OrderTransitionRefusedError } from './orders.errors';
import { OrderNotice } from './orders.events';

export enum OrderStatus {
  Pending = 'PENDING',
  Paid = 'PAID',
  Processed = 'PROCESSED',
  Shipped = 'SHIPPED',
  Delivered = 'DELIVERED',
  Cancelled = 'CANCELLED',
  Refunded = 'REFUNDED',
}

/** Who moves an order: the history row names them (`admin:<id>`, `stripe`, `worker`, …). */
export type ActorKind = 'customer' | 'admin' | 'stripe' | 'worker' | 'reconciler' | 'system' | 'compensation';

export interface Actor {
  kind: ActorKind;
  id?: string;
}

export const actorLabel = (actor: Actor): string => (actor.id ? `${actor.kind}:${actor.id}` : actor.kind);

const ACTOR_KINDS: readonly ActorKind[] = [
  'customer',
  'admin',
  'stripe',
  'worker',
  'reconciler',
  'system',
  'compensation',
];

/** The actor a job payload names by its label (`admin:<id>`, `stripe`, …); unknown labels are `system`. */
export function actorFromLabel(label: string | undefined): Actor {
  const [kind, ...rest] = (label ?? '').split(':');
  if (!ACTOR_KINDS.includes(kind as ActorKind)) return { kind: 'system' };
  return rest.length ? { kind: kind as ActorKind, id: rest.join(':') } : { kind: kind as ActorKind };
}

/** The order as the process table needs to see it. */
export interface OrderFacts {
  id: string;
  status: OrderStatus;
  totalCents: number;
}

export interface TransitionContext {
  actor: Actor;
  reason?: string;
  /** The order's ledger, read under its row lock in the same transaction. */
  ledger: LedgerFacts;
}

/** What a legal transition does besides writing the status and its history row. */
export interface TransitionPlan {
  /** Outbox rows written in the same transaction (jobs and emails the transition owes). */
  effects: OutboxMessage[];
  /** The order's reserved stock goes back on the shelf (once per order). */
  releasesStock: boolean;
}

interface Transition {
  /** Who may make it. */
  who: readonly ActorKind[];
  /** Null when the payment facts allow it, otherwise why they do not. */
  guard: (order: OrderFacts, ledger: LedgerFacts) => string | null;
  effects: (order: OrderFacts) => OutboxMessage[];
  releasesStock?: boolean;
}

const ORDER_WORK: ActorKind[] = ['worker', 'stripe', 'reconciler'];

const paymentCaptured = (order: OrderFacts, ledger: LedgerFacts) =>
  ledger.paymentStatus === 'succeeded' && ledger.capturedCents === order.totalCents
    ? null
    : 'the order’s own payment has not been captured in full';
const nothingCaptured = (_: OrderFacts, ledger: LedgerFacts) =>
  ledger.capturedCents === 0 ? null : 'the order is paid: it is cancelled by refunding it';
const noCancellation = (_: OrderFacts, ledger: LedgerFacts) =>
  ledger.cancellation === 'none' ? null : 'a cancellation of the order is in progress';
const cancellationRefunded = (_: OrderFacts, ledger: LedgerFacts) =>
  ledger.cancellation === 'refunded' && ledger.refundedCents === ledger.capturedCents
    ? null
    : 'the cancellation’s refund has not succeeded';
const fullyRefunded = (_: OrderFacts, ledger: LedgerFacts) =>
  ledger.capturedCents > 0 &&
  ledger.refundedCents === ledger.capturedCents &&
  ledger.cancellation !== 'refunded'
    ? null
    : 'the ledger does not show the captured amount refunded';
const always = () => null;

const tell = (event: OrderNotice) => (order: OrderFacts) => [notice(event, order.id)];

const toRefunded: Transition = {
  who: ORDER_WORK,
  guard: fullyRefunded,
  effects: tell(OrderNotice.Refunded),
};
/** A paid order is cancelled once its cancellation's refund has succeeded; its stock goes back. */
const toCancelledByRefund: Transition = {
  who: ORDER_WORK,
  guard: cancellationRefunded,
  effects: tell(OrderNotice.Cancelled),
  releasesStock: true,
};

/**
 * The order process (ARCHITECTURE.md §3): every legal transition with who may make it, the payment facts it
 * needs and the work it owes. Anything not listed is illegal. OrderStateWriter is the one writer that applies
 * it. What follows PAID is decided here: processing, the order.paid notice and the invoice.
 */
const PROCESS: Record<OrderStatus, Partial<Record<OrderStatus, Transition>>> = {
  [OrderStatus.Pending]: {
    [OrderStatus.Paid]: {
      who: ORDER_WORK,
      guard: paymentCaptured,
      effects: (order) => [
        {
          type: OutboxType.OrderProcess,
          aggregateId: order.id,
          payload: {},
          dedupeKey: `process:${order.id}`,
        },
        notice(OrderNotice.Paid, order.id),
        { type: OutboxType.Invoice, aggregateId: order.id, payload: {}, dedupeKey: `invoice:${order.id}` },
      ],
    },
    [OrderStatus.Cancelled]: {
      who: ['admin', 'stripe', 'worker', 'reconciler', 'system', 'compensation'],
      guard: nothingCaptured,
      effects: tell(OrderNotice.Cancelled),
      releasesStock: true,
    },
  },
  [OrderStatus.Paid]: {
    [OrderStatus.Processed]: {
      who: ['worker'],
      guard: (order, ledger) => paymentCaptured(order, ledger) ?? noCancellation(order, ledger),
      effects: (order) => [
        { type: OutboxType.ErpSubmit, aggregateId: order.id, payload: {}, dedupeKey: `erp:${order.id}` },
      ],
    },
    [OrderStatus.Cancelled]: toCancelledByRefund,
    [OrderStatus.Refunded]: toRefunded,
  },
  [OrderStatus.Processed]: {
    [OrderStatus.Shipped]: { who: ['admin'], guard: noCancellation, effects: tell(OrderNotice.Shipped) },
    [OrderStatus.Cancelled]: toCancelledByRefund,
    [OrderStatus.Refunded]: toRefunded,
  },
  [OrderStatus.Shipped]: {
    [OrderStatus.Delivered]: { who: ['admin'], guard: always, effects: tell(OrderNotice.Delivered) },
    [OrderStatus.Refunded]: toRefunded,
  },
  [OrderStatus.Delivered]: {
    [OrderStatus.Refunded]: toRefunded,
  },
  [OrderStatus.Cancelled]: {},
  [OrderStatus.Refunded]: {},
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return PROCESS[from][to] !== undefined;
}

export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) throw new IllegalOrderTransitionError(from, to);
}

/**
 * Checks a transition against the table (409 ILLEGAL_ORDER_TRANSITION when it is not one, 409
 * ORDER_TRANSITION_REFUSED when this actor or these payment facts do not allow it) and says what it does.
 */
export function planTransition(order: OrderFacts, to: OrderStatus, ctx: TransitionContext): TransitionPlan {
  const transition = PROCESS[order.status][to];
  if (!transition) throw new IllegalOrderTransitionError(order.status, to);
  if (!transition.who.includes(ctx.actor.kind))
    throw new OrderTransitionRefusedError(order.status, to, `${ctx.actor.kind} may not make this change`);
  const refusal = transition.guard(order, ctx.ledger);
  if (refusal) throw new OrderTransitionRefusedError(order.status, to, refusal);
  return { effects: transition.effects(order), releasesStock: transition.releasesStock ?? false };
}

/** Statuses in which a captured payment exists (refunds are possible). */
export const PAID_STATUSES: readonly OrderStatus[] = [
  OrderStatus.Paid,
  OrderStatus.Processed,
  OrderStatus.Shipped,
  OrderStatus.Delivered,
];

/** Statuses with background work still owed to them (the reconciler watches these). */
export const OPEN_STATUSES: readonly OrderStatus[] = [OrderStatus.Pending, OrderStatus.Paid];
