import { Buffer } from 'node:buffer';
import http from 'node:http';

export interface HttpAnswer {
  status: number;
  body: string;
  ms: number;
}

export type HttpRequest = (
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
) => Promise<HttpAnswer>;

/**
 * A keep-alive JSON client for the scripted phases (end to end, sign-up storm), where one request depends on
 * the answer to the previous one, which autocannon cannot chain.
 */
export function httpClient(base: string, maxSockets: number): { request: HttpRequest; close(): void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const { hostname, port } = new URL(base);
  const request: HttpRequest = (method, path, headers, body) =>
    new Promise((resolve) => {
      const started = performance.now();
      const req = http.request(
        {
          agent,
          hostname,
          port,
          method,
          path,
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body ?? '')) },
        },
        (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (data += chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: data, ms: performance.now() - started }),
          );
        },
      );
      // A refused or reset connection is an answer too (status 0), counted by the phase as an error.
      req.on('error', (error) =>
        resolve({ status: 0, body: String(error), ms: performance.now() - started }),
      );
      req.end(body);
    });
  return { request, close: () => agent.destroy() };
}
