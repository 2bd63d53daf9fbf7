import { setTimeout as sleep } from 'node:timers/promises';

import { BenchContext, measure, phaseReport, PhaseReport } from '../support/context';
import { httpClient } from '../support/http-client';
import { drain, FlowErrors, outboxLag, placeAndPay, waitProcessed } from '../support/order-flow';
import { processedTiming } from '../support/order-timing';
import { round } from '../support/stats';

/** Orders started more than this late count as "behind schedule": the open loop could not keep its rate. */
const LATE_MS = 50;

/**
 * Outbox lag (commit → job active) at half the measured end-to-end capacity: orders placed and paid at a fixed
 * rate (an open loop, one start every 1/rate s whatever the answers take), until every one is PROCESSED; then
 * commit → enqueued → active of the outbox rows they wrote. BENCH_LAG_RATE sets the rate without the e2e phase.
 */
export async function outboxLagAtHalfCapacity(ctx: BenchContext): Promise<PhaseReport> {
  const { settings } = ctx;
  const capacity = ctx.reports.get('e2e')?.throughput ?? null;
  const rate = settings.lagRate ?? (capacity ? capacity / 2 : null);
  if (!rate) throw new Error('outbox-lag needs the e2e phase (its capacity) or BENCH_LAG_RATE');
  const total = Math.max(1, Math.round(rate * settings.durations.lagSeconds));
  const { maxOutboxId, drained } = await drain(ctx);
  const client = httpClient(ctx.stack.base, settings.connections * 4);
  const errors: FlowErrors = { post: 0, webhook: 0, samples: [] };
  const orderIds: string[] = [];
  let behindSchedule = 0;
  const t0 = Date.now();
  const measured = await measure(
    ctx,
    'outbox-lag',
    { profileTarget: ctx.stack.get('api'), units: (r) => r.processed },
    async () => {
      const inFlight = new Set<Promise<void>>();
      for (let i = 0; i < total; i++) {
        const wait = t0 + (i * 1000) / rate - Date.now();
        if (wait > 0) await sleep(wait);
        else if (wait < -LATE_MS) behindSchedule++;
        const order: Promise<void> = placeAndPay(ctx, client.request, i, errors)
          .then((id) => {
            if (id) orderIds.push(id);
          })
          .finally(() => inFlight.delete(order));
        inFlight.add(order);
      }
      await Promise.all(inFlight);
      return waitProcessed(ctx, orderIds);
    },
  );
  client.close();
  const lag = await outboxLag(ctx, maxOutboxId);
  const timing = await processedTiming(ctx, orderIds);
  const seconds = ((timing.lastProcessedAt ?? Date.now()) - t0) / 1000;
  const { processed } = measured.result;
  return phaseReport(
    {
      id: 'outbox-lag',
      title: `outbox lag at half capacity (${round(rate, 1)} orders/s)`,
      unit: 'orders/s',
      throughput: round(processed / seconds, 1),
      latencyMs: { p50: lag.orderProcessCommitToActiveMs.p50, p99: lag.orderProcessCommitToActiveMs.p99 },
      errors: errors.post + errors.webhook + (orderIds.length - processed),
      details: {
        rate: round(rate, 2),
        rateFrom: settings.lagRate ? 'BENCH_LAG_RATE' : 'half of the e2e phase',
        orders: total,
        processed,
        behindSchedule,
        errors,
        previousWorkDrained: drained,
        placedToProcessedMs: timing.placedToProcessedMs,
        outboxLag: lag,
      },
    },
    measured,
    processed,
  );
}
