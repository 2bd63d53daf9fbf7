import { ApiProperty } from '@nestjs/swagger';

import { QueueName } from '../../../infra/queue/queue-names';

export class FailedJobResponse {
  @ApiProperty() jobId: string;
  @ApiProperty({ enum: QueueName }) queue: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'uuid' }) orderId: string;
  @ApiProperty({ type: 'integer' }) attempts: number;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty({ type: String, nullable: true }) correlationId: string | null;
  @ApiProperty({ format: 'date-time' }) failedAt: string;
}

export class FailedJobListResponse {
  @ApiProperty({ type: [FailedJobResponse], description: 'newest first' }) data: FailedJobResponse[];
}

export class StuckOutboxRowResponse {
  @ApiProperty() outboxId: string;
  @ApiProperty({ description: 'the event type, e.g. order.placed' }) type: string;
  @ApiProperty({ format: 'uuid' }) orderId: string;
  @ApiProperty({ type: String, nullable: true }) correlationId: string | null;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;
  @ApiProperty({ type: 'integer' }) ageSeconds: number;
}

export class StuckOutboxListResponse {
  @ApiProperty({ type: [StuckOutboxRowResponse], description: 'oldest first' })
  data: StuckOutboxRowResponse[];
}

export class UnmatchedPaymentResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'the Stripe event id' }) eventId: string;
  @ApiProperty() eventType: string;
  @ApiProperty({ type: String, nullable: true }) objectId: string | null;
  @ApiProperty({ type: String, nullable: true }) paymentIntentId: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'the order the event’s metadata named, if any (not proof that it is the order’s)',
  })
  claimedOrderId: string | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'minor units' }) amountCents: number | null;
  @ApiProperty({ type: String, nullable: true }) currency: string | null;
  @ApiProperty({
    enum: ['unknown_payment_intent', 'foreign_payment_intent', 'amount_mismatch', 'currency_mismatch'],
  })
  reason: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class UnmatchedPaymentListResponse {
  @ApiProperty({ type: [UnmatchedPaymentResponse], description: 'newest first' })
  data: UnmatchedPaymentResponse[];
}

export class AuditEntryResponse {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'admin:<user id>' }) actor: string;
  @ApiProperty({ example: 'job.retried' }) action: string;
  @ApiProperty({ example: 'order/<id>' }) target: string;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) details: unknown;
  @ApiProperty({ type: String, nullable: true }) correlationId: string | null;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class AuditListResponse {
  @ApiProperty({ type: [AuditEntryResponse], description: 'newest first' }) data: AuditEntryResponse[];
}

export class JobRetriedResponse {
  @ApiProperty() jobId: string;
  @ApiProperty({
    enum: ['retried', 'redispatched'],
    description: 'retried: the failed job runs again; redispatched: its outbox row is sent again',
  })
  action: 'retried' | 'redispatched';
}

export class OrderResolvedResponse {
  @ApiProperty({ format: 'uuid' }) orderId: string;
  @ApiProperty({ description: 'the order’s status (unchanged: resolving adds an operator note)' })
  status: string;
}
