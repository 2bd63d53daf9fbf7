import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { JobRun } from '../../infra/queue/job-runs.repository';
import { ShippingAddressDto } from './dto/create-order.dto';
import { Order, ShippingAddress } from './order';
import { OrderStatus } from './order-state';
import { HistoryEntry } from './orders.repository';

export class OrderItemResponse {
  @ApiProperty() itemId: string;
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: 'integer' }) quantity: number;
  @ApiProperty({ type: 'integer', description: 'minor units' }) unitPriceCents: number;
}

export class OrderResponse {
  @ApiProperty() id: string;
  @ApiProperty() userId: string;
  @ApiProperty({ enum: OrderStatus }) status: OrderStatus;
  @ApiProperty({ type: 'integer', description: 'minor units' }) totalCents: number;
  @ApiProperty({ type: 'integer', description: 'minor units refunded so far' }) refundedCents: number;
  @ApiProperty() currency: string;
  @ApiProperty({ nullable: true, type: String }) paymentIntentId: string | null;
  @ApiPropertyOptional({ description: 'only in the response that created the order' }) clientSecret?: string;
  @ApiProperty({ type: [OrderItemResponse] }) items: OrderItemResponse[];
  @ApiProperty({ type: ShippingAddressDto }) shippingAddress: ShippingAddress;
  @ApiProperty({ nullable: true, type: String }) carrier: string | null;
  @ApiProperty({ nullable: true, type: String }) trackingNumber: string | null;
  @ApiProperty({ format: 'date-time', description: 'an unpaid order is settled or cancelled after this' })
  paymentDueAt: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class OrderPageResponse {
  @ApiProperty({ type: [OrderResponse] }) data: OrderResponse[];
  @ApiProperty({ type: 'integer' }) total: number;
  @ApiProperty({ type: 'integer' }) page: number;
  @ApiProperty({ type: 'integer' }) limit: number;
}

/** 202 of a refund: requested now, sent to Stripe by a job. */
export class RefundAcceptedResponse {
  @ApiProperty({ format: 'uuid' }) refundId: string;
  @ApiProperty({ format: 'uuid' }) orderId: string;
  @ApiProperty({ type: 'integer', description: 'minor units' }) amountCents: number;
  @ApiProperty({ enum: ['requested', 'pending', 'succeeded', 'failed', 'canceled'] }) status: string;
}

export function toOrderResponse(order: Order, clientSecret?: string): OrderResponse {
  return {
    id: order.id,
    userId: order.userId,
    status: order.status,
    totalCents: order.totalCents,
    refundedCents: order.refundedCents,
    currency: order.currency,
    paymentIntentId: order.paymentIntentId,
    ...(clientSecret ? { clientSecret } : {}),
    items: order.lines.map((l) => ({
      itemId: l.itemId,
      sku: l.sku,
      name: l.name,
      quantity: l.quantity,
      unitPriceCents: l.unitPriceCents,
    })),
    shippingAddress: order.shippingAddress,
    carrier: order.carrier,
    trackingNumber: order.trackingNumber,
    paymentDueAt: order.paymentDueAt.toISOString(),
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}

export class OrderHistoryResponse {
  @ApiProperty({ nullable: true, enum: OrderStatus, description: 'null for the order’s first entry' })
  fromStatus: OrderStatus | null;
  @ApiProperty({ enum: OrderStatus }) toStatus: OrderStatus;
  @ApiProperty() actor: string;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty({ nullable: true, type: String }) correlationId: string | null;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export const toHistoryResponse = (h: HistoryEntry): OrderHistoryResponse => ({ ...h });

export class OrderJobResponse {
  @ApiProperty() jobId: string;
  @ApiProperty() queue: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['queued', 'active', 'retrying', 'completed', 'skipped', 'failed'] }) state: string;
  @ApiProperty({ type: 'integer' }) attempts: number;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ nullable: true, type: String }) correlationId: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export const toJobResponse = ({ outboxId: _outboxId, ...run }: JobRun): OrderJobResponse => run;

export class OrderStepResponse {
  @ApiProperty({ description: 'inventory_committed, email:<KIND>, invoice, erp_submission' }) step: string;
  @ApiProperty({ enum: ['pending', 'done', 'failed'] }) state: string;
  @ApiProperty({ type: 'integer' }) attempts: number;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) doneAt: string | null;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class OrderWorkResponse {
  @ApiProperty({ type: [OrderJobResponse] }) jobs: OrderJobResponse[];
  @ApiProperty({ type: [OrderStepResponse] }) steps: OrderStepResponse[];
}
