import { DomainError } from '../../infra/errors/domain-error';

/** Stripe could not be reached or answered 5xx: nothing is known to have happened; safe to retry. */
export class PaymentProviderUnavailableError extends DomainError {
  readonly code = 'PAYMENT_PROVIDER_UNAVAILABLE';
  readonly httpStatus = 503;
  override readonly retryable = true;
  constructor(cause: string) {
    super(`Payment provider unavailable: ${cause}`);
  }
}

/** Stripe refused the request (4xx): retrying the same request will not help. */
export class PaymentProviderError extends DomainError {
  readonly code = 'PAYMENT_PROVIDER_ERROR';
  readonly httpStatus = 502;
  constructor(
    cause: string,
    readonly providerCode?: string,
  ) {
    super(`Payment provider refused the request: ${cause}`, providerCode ? { providerCode } : undefined);
  }
}

export class InvalidWebhookSignatureError extends DomainError {
  readonly code = 'INVALID_WEBHOOK_SIGNATURE';
  readonly httpStatus = 400;
  constructor() {
    super('Webhook signature is missing, invalid or too old');
  }
}

/** Signed with our secret, but not shaped like a Stripe event (no id, type or data.object). */
export class InvalidWebhookPayloadError extends DomainError {
  readonly code = 'INVALID_WEBHOOK_PAYLOAD';
  readonly httpStatus = 400;
  constructor() {
    super('Webhook payload is not a Stripe event');
  }
}
