import { CircuitBreaker } from '../../infra/resilience/circuit-breaker';
import { CircuitOpenError } from '../../infra/resilience/circuit-open.error';
import { ErpOrderPayload } from './erp-order.transform';
import { ErpRejectedError, ErpUnavailableError } from './fulfilment.errors';

/** Fields first, as Dispatch logs everywhere; `new Logger(ErpClient.name)` from @nestjs/common fits as is. */
export interface ErpClientLogger {
  log(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface ErpClientOptions {
  /** Without the API path, e.g. http://127.0.0.1:12112 or https://erp.example.com/x-api. */
  baseUrl: string;
  username: string;
  password: string;
  /** For the whole exchange, body included. */
  timeoutMs: number;
  breaker: CircuitBreaker;
  logger?: ErpClientLogger;
}

export interface ErpSubmitMeta {
  /** Deterministic per order (never per attempt), so a retry after a timeout cannot create a second order. */
  idempotencyKey: string;
  correlationId?: string;
}

export interface ErpSubmitResult {
  reference: string;
  status: number;
  body: unknown;
}

type Answer = { status: number; body: unknown };

const ORDERS_PATH = '/api/v1/orders';
// 4xx by number, but they mean "not now" rather than "never": retried like a 5xx, and counted by the breaker.
const TRANSIENT_4XX = new Set([408, 429]);

/**
 * Submits orders to X-API (the ERP) over HTTP. The only file that knows X-API's URL, auth and status
 * semantics: a 4xx becomes ErpRejectedError (permanent), anything else that is not a 2xx with a reference
 * becomes ErpUnavailableError (retryable), including an open circuit.
 */
export class ErpClient {
  private readonly ordersUrl: string;
  private readonly authorization: string;

  constructor(private readonly options: ErpClientOptions) {
    // Concatenated, not `new URL(path, base)`, which would drop a path prefix in baseUrl.
    this.ordersUrl = `${options.baseUrl.replace(/\/+$/, '')}${ORDERS_PATH}`;
    this.authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`, 'utf8').toString('base64')}`;
  }

  async submit(payload: ErpOrderPayload, meta: ErpSubmitMeta): Promise<ErpSubmitResult> {
    // Serialised before the breaker: a payload that cannot be serialised is our bug, not the ERP being down.
    const body = JSON.stringify(payload);
    let answer: Answer & { reference?: string };
    try {
      // A 4xx resolves inside the breaker and is thrown only below: the ERP answered, so it is healthy, and
      // this holds however the breaker's isFailure is configured.
      answer = await this.options.breaker.execute(() => this.post(body, payload, meta));
    } catch (error) {
      if (!(error instanceof CircuitOpenError)) throw error;
      this.options.logger?.warn(
        { ...this.fields(payload, meta), retryAfterMs: error.retryAfterMs },
        'ERP request not sent: circuit open',
      );
      throw new ErpUnavailableError(`circuit open, retry in ${error.retryAfterMs} ms`, {
        retryAfterMs: error.retryAfterMs,
      });
    }
    if (answer.reference === undefined) throw new ErpRejectedError(answer.status, answer.body);
    return { reference: answer.reference, status: answer.status, body: answer.body };
  }

  /** One HTTP exchange: resolves for 2xx with a reference and for permanent 4xx, throws otherwise. */
  private async post(
    body: string,
    payload: ErpOrderPayload,
    meta: ErpSubmitMeta,
  ): Promise<Answer & { reference?: string }> {
    const fields = this.fields(payload, meta);
    const logger = this.options.logger;
    const startedAt = performance.now();
    const elapsed = () => Math.round(performance.now() - startedAt);
    logger?.log(fields, 'ERP request');

    let answer: Answer;
    try {
      const response = await fetch(this.ordersUrl, {
        method: 'POST',
        headers: this.headers(meta),
        body,
        // Covers reading the body too: a server that sends headers and then stalls still times out.
        signal: AbortSignal.timeout(this.options.timeoutMs),
        // Following a redirect would turn the POST into a GET; a redirect here means a wrong baseUrl.
        redirect: 'error',
      });
      answer = { status: response.status, body: parseBody(await response.text()) };
    } catch (error) {
      const reason = this.describeFailure(error);
      logger?.warn({ ...fields, ms: elapsed(), error: reason }, 'ERP request failed');
      throw new ErpUnavailableError(reason);
    }

    const { status } = answer;
    const reference = status >= 200 && status < 300 ? readReference(answer.body) : undefined;
    logger?.[reference ? 'log' : 'warn']({ ...fields, status, ms: elapsed(), reference }, 'ERP response');
    if (status >= 400 && status < 500 && !TRANSIENT_4XX.has(status)) return answer;
    if (reference) return { ...answer, reference };
    // A 2xx without a reference is as good as no answer (e.g. a proxy's HTML maintenance page served as 200).
    throw new ErpUnavailableError(
      status >= 200 && status < 300 ? `HTTP ${status} without an order reference` : `HTTP ${status}`,
      { status },
    );
  }

  private headers(meta: ErpSubmitMeta): Record<string, string> {
    return {
      Authorization: this.authorization,
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'Idempotency-Key': meta.idempotencyKey,
      ...(meta.correlationId ? { 'X-Correlation-Id': meta.correlationId } : {}),
    };
  }

  // Never the headers: they carry the Basic credentials.
  private fields(payload: ErpOrderPayload, meta: ErpSubmitMeta): Record<string, unknown> {
    return {
      method: 'POST',
      url: this.ordersUrl,
      externalOrderId: payload.externalOrderId,
      idempotencyKey: meta.idempotencyKey,
      correlationId: meta.correlationId,
    };
  }

  // Duck-typed rather than instanceof: fetch's errors are created in Node's own realm, which is not the realm
  // of the caller under Jest's VM sandbox.
  private describeFailure(error: unknown): string {
    const failure = error as {
      name?: unknown;
      message?: unknown;
      cause?: { code?: unknown; message?: unknown };
    };
    if (failure?.name === 'TimeoutError') return `no answer within ${this.options.timeoutMs} ms`;
    const message = typeof failure?.message === 'string' ? failure.message : String(error);
    // fetch reports every network failure as "fetch failed"; the reason (ECONNREFUSED, socket closed) is the cause.
    const detail = failure?.cause?.code ?? failure?.cause?.message;
    return typeof detail === 'string' ? `${message}: ${detail}` : message;
  }
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function readReference(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const reference = (body as { reference?: unknown }).reference;
  return typeof reference === 'string' && reference !== '' ? reference : undefined;
}
