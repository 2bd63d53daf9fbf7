import { BenchContext, measure, phaseReport, PhaseReport } from '../support/context';
import { AppRole } from '../support/dispatch-stack';
import { orderLoad } from '../support/order-flow';
import { PhaseName } from '../support/settings';

/**
 * POST /v1/orders, c=connections, JWT, a unique Idempotency-Key per request; orders spread over every item,
 * or (`hot`) all on the hot items of a flash sale, where deadlocks and 5xx are what to look for.
 */
export async function postOrders(
  ctx: BenchContext,
  options: { hot?: boolean; phase?: PhaseName; id?: string; server?: AppRole } = {},
): Promise<PhaseReport> {
  const { settings, seed } = ctx;
  const hot = options.hot ?? false;
  const phase = options.phase ?? (hot ? 'hot-items' : 'orders');
  const bodies = hot ? seed.hotBodies : seed.bodies;
  const seconds = hot ? settings.durations.hotSeconds : settings.durations.ordersSeconds;
  const countOrders = async () =>
    Number((await ctx.db.query<{ n: string }>('SELECT count(*) AS n FROM orders'))[0].n);
  const ordersBefore = await countOrders();
  const measured = await measure(
    ctx,
    phase,
    {
      pg: true,
      profileTarget: ctx.stack.get(options.server ?? 'api'),
      units: (r) => r.ok,
      // The orders the database got, including those still in flight when the load generator stopped.
      pgUnits: async () => (await countOrders()) - ordersBefore,
    },
    () => orderLoad(ctx, bodies, seconds),
  );
  const r = measured.result;
  return phaseReport(
    {
      id: options.id ?? phase,
      title: hot ? `POST /v1/orders, ${bodies.length} hot items` : 'POST /v1/orders',
      unit: 'req/s',
      throughput: r.perSecond,
      latencyMs: r.latencyMs,
      errors: r.errors,
      details: { load: r, items: bodies.length, status5xx: r.status5xx },
    },
    measured,
    r.ok,
  );
}
