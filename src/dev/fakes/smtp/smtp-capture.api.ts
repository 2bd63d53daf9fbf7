import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

import { SmtpCaptureServer } from './smtp-capture.server';

const HOST = '127.0.0.1';

/**
 * The SMTP capture's HTTP face on loopback, so any process of a development setup can list what it received
 * (`GET /messages?to=`) or forget it (`DELETE /messages`), whichever process runs the capture.
 */
export class SmtpCaptureApi {
  private constructor(private readonly server: Server) {}

  static async start(capture: SmtpCaptureServer, port = 0): Promise<SmtpCaptureApi> {
    const server = createServer((request, response) => answer(capture, request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new SmtpCaptureApi(server);
  }

  get url(): string {
    return `http://${HOST}:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function answer(capture: SmtpCaptureServer, request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', `http://${HOST}`);
  const send = (status: number, body?: unknown) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    response.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
    });
    response.end(text);
  };
  if (url.pathname !== '/messages') return send(404, { error: `no route ${request.method} ${url.pathname}` });
  if (request.method === 'GET') {
    const to = url.searchParams.get('to');
    return send(200, { data: capture.messages(to ? { to } : undefined) });
  }
  if (request.method === 'DELETE') {
    capture.clear();
    return send(204);
  }
  send(405, { error: 'GET or DELETE' });
}
