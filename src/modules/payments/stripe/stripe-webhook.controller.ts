import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { RawBodyRequest } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

import { ApiContract } from '../../../infra/http/api-contract';
import { Public } from '../../access/access-rules';
import { PaymentsWebhookService, WebhookOutcome } from '../payments-webhook.service';
import { WebhookReceivedResponse } from './webhook-received.response';

@ApiTags('payments')
@Controller('payments')
export class StripeWebhookController {
  constructor(private readonly webhooks: PaymentsWebhookService) {}

  /** Stripe calls this; the signature is the authentication. Duplicates and stale events answer 200. */
  @Public()
  @SkipThrottle()
  @Post('webhook')
  @HttpCode(200)
  @ApiContract({
    summary: 'Receive a Stripe event (Stripe calls this)',
    description: 'Duplicates and stale events answer 200 too, so Stripe stops retrying them.',
    errors: { 400: ['INVALID_WEBHOOK_SIGNATURE', 'INVALID_WEBHOOK_PAYLOAD'] },
  })
  @ApiHeader({
    name: 'Stripe-Signature',
    required: true,
    schema: { type: 'string', example: 't=1700000000,v1=5257a869e7…' },
    description:
      'Stripe’s signature of the raw body: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`; ' +
      'checked with a 300 s tolerance (missing, wrong or too old: 400 INVALID_WEBHOOK_SIGNATURE)',
  })
  @ApiBody({
    description: 'a Stripe event, verified byte for byte as sent',
    schema: { type: 'object', additionalProperties: true, required: ['id', 'type', 'data'] },
  })
  @ApiOkResponse({ type: WebhookReceivedResponse, description: 'recorded (or a known duplicate)' })
  async receive(
    @Req() request: RawBodyRequest<FastifyRequest>,
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<{ received: true; outcome: WebhookOutcome }> {
    return { received: true, outcome: await this.webhooks.receive(request.rawBody, signature) };
  }
}
