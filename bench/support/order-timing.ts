import { BenchContext } from './context';
import { distribution, Distribution } from './stats';

/** Placed (orders.created_at) → PROCESSED (its order_history row) of the given orders, and the last PROCESSED. */
export async function processedTiming(
  ctx: BenchContext,
  orderIds: string[],
): Promise<{ placedToProcessedMs: Distribution; lastProcessedAt: number | null }> {
  const rows = await ctx.db.query<{ ms: number; at: number }>(
    `SELECT (extract(epoch FROM h.created_at - o.created_at) * 1000)::float8 AS ms,
            (extract(epoch FROM h.created_at) * 1000)::float8 AS at
       FROM orders o JOIN order_history h ON h.order_id = o.id AND h.to_status = 'PROCESSED'
      WHERE o.id = ANY($1::uuid[])`,
    [orderIds],
  );
  return {
    placedToProcessedMs: distribution(rows.map((r) => r.ms)),
    lastProcessedAt: rows.length ? Math.max(...rows.map((r) => r.at)) : null,
  };
}
