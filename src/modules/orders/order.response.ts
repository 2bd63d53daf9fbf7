import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { JobRun } from '../../infra/queue/job-runs.repository';
import { Order, ShippingAddress } from './order';
import { OrderStatus } from './order-state';
import { HistoryEntry } from './orders.repository';

export class OrderItemResponse {
  @ApiProperty() itemId: string;
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty() quantity: number;
  @ApiProperty() unitPriceCents: number;
}

export class OrderResponse {
  @ApiProperty() id: string;
  @ApiProperty() userId: string;
  @ApiProperty({ enum: OrderStatus }) status: OrderStatus;
  @ApiProperty() totalCents: number;
  @ApiProperty() refundedCents: number;
  @ApiProperty() currency: string;
  @ApiProperty({ nullable: true, type: String }) paymentIntentId: string | null;
  @ApiPropertyOptional({ description: 'only in the response that created the order' }) clientSecret?: string;
  @ApiProperty({ type: [OrderItemResponse] }) items: OrderItemResponse[];
  @ApiProperty() shippingAddress: ShippingAddress;
  @ApiProperty({ nullable: true, type: String }) carrier: string | null;
  @ApiProperty({ nullable: true, type: String }) trackingNumber: string | null;
  @ApiProperty() paymentDueAt: string;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class OrderPageResponse {
  @ApiProperty({ type: [OrderResponse] }) data: OrderResponse[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() limit: number;
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
  @ApiProperty({ nullable: true, enum: OrderStatus }) fromStatus: OrderStatus | null;
  @ApiProperty({ enum: OrderStatus }) toStatus: OrderStatus;
  @ApiProperty() actor: string;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty({ nullable: true, type: String }) correlationId: string | null;
  @ApiProperty() at: string;
}

export const toHistoryResponse = (h: HistoryEntry): OrderHistoryResponse => ({ ...h });

export class OrderJobResponse {
  @ApiProperty() jobId: string;
  @ApiProperty() queue: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['queued', 'active', 'retrying', 'completed', 'skipped', 'failed'] }) state: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ nullable: true, type: String }) correlationId: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export const toJobResponse = ({ outboxId: _outboxId, ...run }: JobRun): OrderJobResponse => run;

export class OrderStepResponse {
  @ApiProperty({ description: 'inventory_committed, email:<KIND>, invoice, erp_submission' }) step: string;
  @ApiProperty({ enum: ['pending', 'done', 'failed'] }) state: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ nullable: true, type: String }) doneAt: string | null;
  @ApiProperty() updatedAt: string;
}

export class OrderWorkResponse {
  @ApiProperty({ type: [OrderJobResponse] }) jobs: OrderJobResponse[];
  @ApiProperty({ type: [OrderStepResponse] }) steps: OrderStepResponse[];
}
