import { BenchContext, PhaseReport } from '../support/context';
import { httpGet } from './http-get';
import { postOrders } from './orders';

/**
 * The optional knob: api and worker in one process (`dist/all.js`, the development default) instead of two,
 * through the same HTTP phases, to compare with the split processes of the same run.
 */
export async function allInOne(ctx: BenchContext): Promise<PhaseReport[]> {
  await ctx.stack.stop('api');
  await ctx.stack.stop('worker');
  await ctx.stack.start('all-in-one');
  const server = 'all-in-one' as const;
  const phase = 'all-in-one' as const;
  const reports = [
    await httpGet(ctx, 'health', { phase, server, id: 'all-in-one/health' }),
    await httpGet(ctx, 'items', { phase, server, id: 'all-in-one/items' }),
    await postOrders(ctx, { phase, server, id: 'all-in-one/orders' }),
  ];
  for (const r of reports) r.title = `all-in-one: ${r.title}`;
  await ctx.stack.stop('all-in-one');
  return reports;
}
