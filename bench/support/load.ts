import autocannon from 'autocannon';

import { round } from './stats';

export interface LoadResult {
  /** 2xx answers per second over the run's wall time. */
  perSecond: number;
  responses: number;
  ok: number;
  seconds: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** non-2xx answers plus connection errors and timeouts. */
  errors: number;
  status5xx: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

/**
 * One autocannon run (the load generator of every HTTP phase, floors included, so all see the same client).
 * `until`, when given, stops the run as soon as it settles (the sign-up storm bounds the orders load).
 */
export function runLoad(options: autocannon.Options, until?: Promise<unknown>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error: Error | null, result: autocannon.Result) => {
      if (error) return reject(error);
      resolve(summarise(result));
    });
    const stop = () => instance.stop();
    until?.then(stop, stop);
  });
}

function summarise(r: autocannon.Result): LoadResult {
  const statusCodes = Object.fromEntries(
    Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0]),
  );
  const ok = r['2xx'];
  return {
    perSecond: round(ok / Math.max(r.duration, 0.001)),
    responses: r.requests.total,
    ok,
    seconds: round(r.duration, 2),
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    errors: r.non2xx + r.errors,
    status5xx: r['5xx'],
    timeouts: r.timeouts,
    statusCodes,
  };
}
