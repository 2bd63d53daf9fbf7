import { BenchContext, measure, phaseReport, PhaseReport } from '../support/context';
import { AppRole } from '../support/dispatch-stack';
import { runLoad } from '../support/load';
import { PhaseName } from '../support/settings';

export const GET_ROUTES = {
  health: { title: 'GET /v1/health/live', path: '/v1/health/live' },
  items: { title: 'GET /v1/items (cached)', path: '/v1/items?page=1&limit=20' },
} as const;

/** A Dispatch GET route under the floors' load: same generator, connections and duration. */
export async function httpGet(
  ctx: BenchContext,
  route: keyof typeof GET_ROUTES,
  options: { phase?: PhaseName; id?: string; server?: AppRole } = {},
): Promise<PhaseReport> {
  const { settings } = ctx;
  const { title, path } = GET_ROUTES[route];
  const url = `${ctx.stack.base}${path}`;
  // Warmed up like the floors (and the cache filled), so that "cached" is what is measured.
  await runLoad({ url, connections: settings.connections, duration: settings.durations.warmupSeconds });
  const measured = await measure(
    ctx,
    options.phase ?? route,
    { profileTarget: ctx.stack.get(options.server ?? 'api'), units: (r) => r.responses },
    () => runLoad({ url, connections: settings.connections, duration: settings.durations.httpSeconds }),
  );
  const r = measured.result;
  return phaseReport(
    {
      id: options.id ?? route,
      title,
      unit: 'req/s',
      throughput: r.perSecond,
      latencyMs: r.latencyMs,
      errors: r.errors,
      details: { load: r },
    },
    measured,
    r.responses,
  );
}
