import { BenchContext, measure, phaseReport, PhaseReport } from '../support/context';
import { httpClient } from '../support/http-client';
import { drain, FlowErrors, outboxLag, placeAndPay, waitProcessed } from '../support/order-flow';
import { processedTiming } from '../support/order-timing';
import { round } from '../support/stats';

/**
 * End to end: BENCH_E2E_ORDERS orders, each POSTed then paid by a signed payment_intent.succeeded webhook,
 * `connections` clients in a closed loop, until every order is PROCESSED in Postgres (the worker relays the
 * outbox, captures, submits to the ERP, renders the invoice and mails). This is the capacity the outbox-lag
 * phase halves, and its outbox rows give the lag under saturation.
 */
export async function endToEnd(ctx: BenchContext): Promise<PhaseReport> {
  const { settings } = ctx;
  const { maxOutboxId, drained } = await drain(ctx);
  const client = httpClient(ctx.stack.base, settings.connections * 2);
  const errors: FlowErrors = { post: 0, webhook: 0, samples: [] };
  const orderIds: string[] = [];
  const t0 = Date.now();
  let requestsDoneAt = 0;
  const measured = await measure(
    ctx,
    'e2e',
    { pg: true, profileTarget: ctx.stack.get('api'), units: (r) => r.processed },
    async () => {
      let next = 0;
      const loop = async () => {
        for (let i = next++; i < settings.e2eOrders; i = next++) {
          const id = await placeAndPay(ctx, client.request, i, errors);
          if (id) orderIds.push(id);
        }
      };
      await Promise.all(Array.from({ length: settings.connections }, loop));
      requestsDoneAt = Date.now();
      return waitProcessed(ctx, orderIds);
    },
  );
  client.close();
  const timing = await processedTiming(ctx, orderIds);
  const seconds = ((timing.lastProcessedAt ?? Date.now()) - t0) / 1000;
  const { processed, other } = measured.result;
  const notProcessed = orderIds.length - processed;
  const lag = await outboxLag(ctx, maxOutboxId);
  return phaseReport(
    {
      id: 'e2e',
      title: 'end to end: placed → paid → PROCESSED',
      unit: 'orders/s',
      throughput: round(processed / seconds),
      latencyMs: { p50: timing.placedToProcessedMs.p50, p99: timing.placedToProcessedMs.p99 },
      errors: errors.post + errors.webhook + notProcessed,
      details: {
        orders: settings.e2eOrders,
        placed: orderIds.length,
        processed,
        finalButNotProcessed: other,
        errors,
        secondsFirstPostToLastProcessed: round(seconds, 2),
        secondsRequestsOnly: round((requestsDoneAt - t0) / 1000, 2),
        placedToProcessedMs: timing.placedToProcessedMs,
        previousWorkDrained: drained,
        outboxLagUnderSaturation: lag,
      },
    },
    measured,
    processed,
  );
}
