import { createHmac, randomUUID } from 'node:crypto';

export interface PaidOrder {
  id: string;
  paymentIntentId: string;
  totalCents: number;
  currency: string;
}

/**
 * A payment_intent.succeeded event for the order, signed the way Stripe (and our fake Stripe) signs webhook
 * deliveries: `t=<unix seconds>,v1=HMAC-SHA256(secret, "<t>.<payload>")`.
 */
export function signedPaymentSucceeded(
  secret: string,
  order: PaidOrder,
): { payload: string; signature: string } {
  const created = Math.floor(Date.now() / 1000);
  const payload = JSON.stringify({
    id: `evt_bench_${randomUUID().replace(/-/g, '')}`,
    object: 'event',
    api_version: '2024-06-20',
    created,
    data: {
      object: {
        id: order.paymentIntentId,
        object: 'payment_intent',
        amount: order.totalCents,
        amount_received: order.totalCents,
        currency: order.currency.toLowerCase(),
        status: 'succeeded',
        metadata: { orderId: order.id },
      },
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'payment_intent.succeeded',
  });
  const v1 = createHmac('sha256', secret).update(`${created}.${payload}`).digest('hex');
  return { payload, signature: `t=${created},v1=${v1}` };
}
