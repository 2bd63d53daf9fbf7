import { Injectable } from '@nestjs/common';

import { AppConfig } from '../config/app-config';
import { ServiceUnavailableError } from '../infra/errors/common.errors';
import { PaymentNotPayableError } from './dev.errors';

/**
 * HTTP client of the fakes' control surfaces (the fake Stripe's `/__fake/*`, the SMTP capture's `/messages`),
 * so the dev routes work from every api process, whichever process runs the fakes.
 */
@Injectable()
export class FakeControlClient {
  constructor(private readonly config: AppConfig) {}

  /** Confirms the intent with a working card (`succeed`) or a declined one (`fail`) at the fake Stripe. */
  async settlePayment(paymentIntentId: string, outcome: 'succeed' | 'fail'): Promise<void> {
    const res = await this.call(
      `${this.config.stripe.apiUrl}/__fake/payment_intents/${encodeURIComponent(paymentIntentId)}/${outcome}`,
      'POST',
    );
    if (res.ok) return;
    const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
    if (res.status >= 400 && res.status < 500)
      throw new PaymentNotPayableError(paymentIntentId, body.error?.message ?? `status ${res.status}`);
    throw new ServiceUnavailableError({ fake: 'stripe', status: res.status });
  }

  async mailbox(to?: string): Promise<unknown[]> {
    const url = new URL('/messages', this.captureUrl());
    if (to) url.searchParams.set('to', to);
    const res = await this.call(url.toString(), 'GET');
    if (!res.ok) throw new ServiceUnavailableError({ fake: 'smtp-capture', status: res.status });
    return ((await res.json()) as { data: unknown[] }).data;
  }

  async clearMailbox(): Promise<void> {
    const res = await this.call(new URL('/messages', this.captureUrl()).toString(), 'DELETE');
    if (!res.ok) throw new ServiceUnavailableError({ fake: 'smtp-capture', status: res.status });
  }

  private captureUrl(): string {
    return this.config.dev.smtpCapture!.apiUrl;
  }

  private async call(url: string, method: string): Promise<Response> {
    try {
      return await fetch(url, { method, signal: AbortSignal.timeout(5000) });
    } catch (error) {
      throw new ServiceUnavailableError({
        url,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
