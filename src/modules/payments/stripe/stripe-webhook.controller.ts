import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { RawBodyRequest } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

import { Public } from '../../access/access-rules';
import { PaymentsWebhookService, WebhookOutcome } from '../payments-webhook.service';

@ApiTags('payments')
@Controller('payments')
export class StripeWebhookController {
  constructor(private readonly webhooks: PaymentsWebhookService) {}

  /** Stripe calls this; the signature is the authentication. Duplicates and stale events answer 200. */
  @Public()
  @SkipThrottle()
  @Post('webhook')
  @HttpCode(200)
  @ApiOkResponse({ description: '{ received: true, outcome }' })
  async receive(
    @Req() request: RawBodyRequest<FastifyRequest>,
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<{ received: true; outcome: WebhookOutcome }> {
    return { received: true, outcome: await this.webhooks.receive(request.rawBody, signature) };
  }
}
