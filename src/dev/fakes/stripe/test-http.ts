/**
 * HTTP helpers of the fake Stripe's specs: a webhook endpoint that records what the fake delivers, and requests
 * made outside the SDK (no API key, JSON control calls).
 */
import { IncomingHttpHeaders, Server, createServer, request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';

/** A stand-in for Dispatch's webhook endpoint: records raw bodies and answers with scripted statuses. */
export class WebhookReceiver {
  readonly received: Array<{
    raw: string;
    signature: string;
    eventId: string;
    type: string;
    status: number;
  }> = [];
  private scripted: number[] = [];

  private readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const status = this.scripted.shift() ?? 200;
      const event = JSON.parse(raw) as { id: string; type: string };
      this.received.push({
        raw,
        signature: String(request.headers['stripe-signature']),
        eventId: event.id,
        type: event.type,
        status,
      });
      response.writeHead(status).end();
    });
  });

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/payments/webhook`;
  }

  /** The next requests get these statuses, then 200 again. */
  answerNext(...statuses: number[]): void {
    this.scripted.push(...statuses);
  }

  about(objectId: string): WebhookReceiver['received'] {
    return this.received.filter((delivery) => delivery.raw.includes(objectId));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** A request outside the SDK (no key, JSON control calls); no keep-alive so nothing outlives the test. */
export function rawRequest(
  url: string,
  method: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, agent: false, headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    request.on('error', reject);
    request.end(options.body);
  });
}
