import { PaymentErrorObject, PaymentIntentObject, PaymentMethodObject } from './fake-stripe.objects';

export type StripeErrorType =
  'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error' | 'rate_limit_error';

/** The body of Stripe's `{ error: … }` envelope; the SDK picks its error class from `type` and the status. */
export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  advice_code?: string;
  charge?: string;
  payment_intent?: PaymentIntentObject;
  payment_method?: PaymentMethodObject;
  payment_method_type?: string;
  doc_url?: string;
}

/**
 * An error answer of the fake API, thrown by parameter readers and the ledger and rendered by the server as
 * Stripe's error envelope with the matching HTTP status.
 */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
    this.name = 'StripeApiError';
  }

  static invalidRequest(
    message: string,
    extra: { code?: string; param?: string; payment_intent?: PaymentIntentObject } = {},
  ) {
    return new StripeApiError(400, { type: 'invalid_request_error', message, ...withDocUrl(extra) });
  }

  static missingParam(param: string): StripeApiError {
    return StripeApiError.invalidRequest(`Missing required param: ${param}.`, {
      code: 'parameter_missing',
      param,
    });
  }

  static unknownParam(param: string): StripeApiError {
    return StripeApiError.invalidRequest(
      `Received unknown parameter: ${param}. (The fake Stripe server models only the parameters Dispatch uses.)`,
      { code: 'parameter_unknown', param },
    );
  }

  /** An id in the path that does not exist (404), e.g. GET /v1/payment_intents/pi_missing. */
  static noSuchObject(objectName: string, id: string, param = 'id'): StripeApiError {
    return new StripeApiError(404, {
      type: 'invalid_request_error',
      message: `No such ${objectName}: '${id}'`,
      ...withDocUrl({ code: 'resource_missing', param }),
    });
  }

  /** An id passed as a parameter that does not exist: Stripe answers 400, not 404. */
  static noSuchParamObject(objectName: string, id: string, param: string): StripeApiError {
    return StripeApiError.invalidRequest(`No such ${objectName}: '${id}'`, {
      code: 'resource_missing',
      param,
    });
  }

  /** A decline: 402 with the PaymentIntent as it is now, `last_payment_error` included. */
  static cardError(error: PaymentErrorObject, paymentIntent: PaymentIntentObject): StripeApiError {
    return new StripeApiError(402, { ...error, payment_intent: paymentIntent });
  }

  static idempotencyMismatch(key: string): StripeApiError {
    return new StripeApiError(400, {
      type: 'idempotency_error',
      message:
        'Keys for idempotent requests can only be used with the same parameters they were first used with. ' +
        `Try using a key other than '${key}' if you meant to execute a different request.`,
    });
  }

  static idempotencyKeyInUse(key: string): StripeApiError {
    return new StripeApiError(409, {
      type: 'idempotency_error',
      code: 'idempotency_key_in_use',
      message:
        'There is currently another in-progress request using this Idempotent Key (that probably means you ' +
        `submitted twice, and the other request is still going through): ${key}. Please try again later.`,
    });
  }

  static unauthenticated(message: string): StripeApiError {
    return new StripeApiError(401, { type: 'invalid_request_error', message });
  }

  static unrecognizedUrl(method: string, path: string): StripeApiError {
    return new StripeApiError(404, {
      type: 'invalid_request_error',
      message: `Unrecognized request URL (${method}: ${path}). The fake Stripe server serves customers, payment_intents, refunds, charges and events.`,
    });
  }

  static apiError(): StripeApiError {
    return new StripeApiError(500, {
      type: 'api_error',
      message: 'An unknown error occurred (injected by the fake Stripe server).',
    });
  }
}

/** Where Stripe documents an error code (`card_declined` → …/error-codes/card-declined). */
export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

function withDocUrl<T extends { code?: string }>(extra: T): T & { doc_url?: string } {
  return extra.code ? { ...extra, doc_url: docUrl(extra.code) } : extra;
}
