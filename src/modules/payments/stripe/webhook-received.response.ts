import { ApiProperty } from '@nestjs/swagger';

import { WebhookOutcome } from '../payments-webhook.service';

const OUTCOMES: WebhookOutcome[] = [
  'paid',
  'cancel_requested',
  'late_payment_refund',
  'refund_booked',
  'sync_requested',
  'recorded',
  'stale',
  'unmatched',
  'duplicate',
  'ignored',
];

/** What Stripe gets back: any 2xx stops its retries, the outcome is for the Stripe dashboard's log. */
export class WebhookReceivedResponse {
  @ApiProperty({ enum: [true] }) received: true;
  @ApiProperty({ enum: OUTCOMES, description: 'what the event did (duplicate: delivered before)' })
  outcome: WebhookOutcome;
}
