import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { Queue } from 'bullmq';
import Redis from 'ioredis';

import { jobIdFor, OUTBOX_ROUTES, OutboxType } from '../../src/modules/outbox/outbox-message';
import { QueueName } from '../../src/infra/queue/queue-names';
import { BenchContext } from './context';
import { Seed } from './seed';
import { runLoad, LoadResult } from './load';
import { HttpRequest } from './http-client';
import { distribution, Distribution } from './stats';
import { PaidOrder, signedPaymentSucceeded } from './stripe-webhook';

/** POST /v1/orders under autocannon: users rotated, a unique Idempotency-Key per request. */
export function orderLoad(
  ctx: BenchContext,
  bodies: string[],
  seconds: number,
  until?: Promise<unknown>,
): Promise<LoadResult> {
  const { tokens } = ctx.seed;
  let n = 0;
  return runLoad(
    {
      url: `${ctx.stack.base}/v1/orders`,
      connections: ctx.settings.connections,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          setupRequest: (req) => {
            const i = n++;
            return {
              ...req,
              body: bodies[i % bodies.length],
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${tokens[i % tokens.length]}`,
                'idempotency-key': randomUUID(),
              },
            };
          },
        },
      ],
    },
    until,
  );
}

export interface FlowErrors {
  post: number;
  webhook: number;
  samples: string[];
}

/** POST /v1/orders of order `i`: the seed's user and body `i` (round robin), a fresh Idempotency-Key. */
export function postOrder(request: HttpRequest, seed: Pick<Seed, 'tokens' | 'bodies'>, i: number) {
  return request(
    'POST',
    '/v1/orders',
    {
      'content-type': 'application/json',
      authorization: `Bearer ${seed.tokens[i % seed.tokens.length]}`,
      'idempotency-key': randomUUID(),
    },
    seed.bodies[i % seed.bodies.length],
  );
}

/** The order's payment_intent.succeeded webhook, signed as Stripe signs it. */
export function postPaymentSucceeded(request: HttpRequest, secret: string, order: PaidOrder) {
  const event = signedPaymentSucceeded(secret, order);
  return request(
    'POST',
    '/v1/payments/webhook',
    { 'content-type': 'application/json', 'stripe-signature': event.signature },
    event.payload,
  );
}

/** Places order `i` and pays it with a signed webhook; the order's id, or null (counted in `errors`). */
export async function placeAndPay(
  ctx: BenchContext,
  request: HttpRequest,
  i: number,
  errors: FlowErrors,
): Promise<string | null> {
  const posted = await postOrder(request, ctx.seed, i);
  if (posted.status !== 201) {
    errors.post++;
    if (errors.samples.length < 5) errors.samples.push(`POST ${posted.status} ${posted.body.slice(0, 200)}`);
    return null;
  }
  const order = JSON.parse(posted.body) as PaidOrder;
  const hook = await postPaymentSucceeded(request, ctx.stack.webhookSecret, order);
  if (hook.status !== 200) {
    errors.webhook++;
    if (errors.samples.length < 5) errors.samples.push(`webhook ${hook.status} ${hook.body.slice(0, 200)}`);
  }
  return order.id;
}

/** Polls Postgres until every order is PROCESSED or otherwise final; when the last one got there. */
export async function waitProcessed(
  ctx: BenchContext,
  orderIds: string[],
  timeoutMs = 300_000,
): Promise<{ processed: number; other: number; lastUpdate: Date | null }> {
  const deadline = Date.now() + timeoutMs;
  let state = { processed: 0, other: 0, lastUpdate: null as Date | null };
  while (Date.now() < deadline) {
    const [row] = await ctx.db.query<{ processed: number; other: number; last: Date | null }>(
      `SELECT count(*) FILTER (WHERE status = 'PROCESSED')::int AS processed, max(updated_at) AS last,
              count(*) FILTER (WHERE status NOT IN ('PENDING', 'PAID', 'PROCESSED'))::int AS other
         FROM orders WHERE id = ANY($1::uuid[])`,
      [orderIds],
    );
    state = { processed: row.processed, other: row.other, lastUpdate: row.last };
    if (row.processed + row.other >= orderIds.length) break;
    await sleep(100);
  }
  return state;
}

/** The bench's BullMQ queues, read with BullMQ's own client (job counts, job records). */
function queues(ctx: BenchContext): { queue: (name: QueueName) => Queue; close(): Promise<void> } {
  const open = new Map<QueueName, Queue>();
  const connection = new Redis(ctx.settings.redisUrl, { maxRetriesPerRequest: null });
  return {
    queue: (name) => {
      let q = open.get(name);
      if (!q) {
        q = new Queue(name, { connection, prefix: ctx.stack.queuePrefix(name) });
        open.set(name, q);
      }
      return q;
    },
    close: async () => {
      await Promise.all([...open.values()].map((q) => q.close()));
      connection.disconnect();
    },
  };
}

/**
 * Waits until the worker has nothing left to do from earlier phases (every undelayed outbox row relayed, no job
 * waiting or active), so the next phase measures its own work; the highest outbox id so far.
 */
export async function drain(
  ctx: BenchContext,
  timeoutMs = 120_000,
): Promise<{ maxOutboxId: string; drained: boolean }> {
  const q = queues(ctx);
  const deadline = Date.now() + timeoutMs;
  let drained = false;
  try {
    while (Date.now() < deadline) {
      const [{ unsent }] = await ctx.db.query<{ unsent: number }>(
        `SELECT count(*)::int AS unsent FROM outbox WHERE sent_at IS NULL AND (deliver_after IS NULL OR deliver_after <= now())`,
      );
      let busy = 0;
      for (const name of Object.values(QueueName)) {
        const counts = await q.queue(name).getJobCounts('wait', 'active', 'prioritized', 'waiting-children');
        busy += Object.values(counts).reduce((a, b) => a + b, 0);
      }
      if (unsent === 0 && busy === 0) {
        drained = true;
        break;
      }
      await sleep(250);
    }
  } finally {
    await q.close();
  }
  const [{ maxId }] = await ctx.db.query<{ maxId: string }>(
    `SELECT coalesce(max(id), 0)::text AS "maxId" FROM outbox`,
  );
  return { maxOutboxId: maxId, drained };
}

export interface OutboxLag {
  method: string;
  orderProcessCommitToActiveMs: Distribution;
  orderProcessCommitToEnqueuedMs: Distribution;
  allCommitToActiveMs: Distribution;
  byType: Record<string, { commitToEnqueuedMs: Distribution; commitToActiveMs: Distribution }>;
  rowsWithoutActiveJob: number;
}

/**
 * Commit → enqueued → active of every undelayed outbox row after `afterId`, from what the app records:
 * outbox.occurred_at (now() of the writing transaction) and the BullMQ job (timestamp = added by the relay,
 * processedOn = taken by a worker; completed jobs are retained).
 */
export async function outboxLag(ctx: BenchContext, afterId: string): Promise<OutboxLag> {
  const rows = await ctx.db.query<{ id: string; type: OutboxType; committed_ms: number }>(
    `SELECT id::text, type, (extract(epoch FROM occurred_at) * 1000)::float8 AS committed_ms
       FROM outbox WHERE id > $1 AND deliver_after IS NULL ORDER BY id`,
    [afterId],
  );
  const q = queues(ctx);
  const byType = new Map<string, { enqueue: number[]; active: number[] }>();
  let missing = 0;
  try {
    for (const row of rows) {
      const job = await q.queue(OUTBOX_ROUTES[row.type].queue).getJob(jobIdFor(row.id));
      if (!job?.timestamp || !job.processedOn) {
        missing++;
        continue;
      }
      const bucket = byType.get(row.type) ?? { enqueue: [], active: [] };
      bucket.enqueue.push(job.timestamp - row.committed_ms);
      bucket.active.push(job.processedOn - row.committed_ms);
      byType.set(row.type, bucket);
    }
  } finally {
    await q.close();
  }
  const process = byType.get(OutboxType.OrderProcess) ?? { enqueue: [], active: [] };
  return {
    method:
      'ms from outbox.occurred_at (the writing transaction start: an upper bound of commit) to the BullMQ job' +
      ' timestamp (relay add) and processedOn (active); delayed jobs left out',
    orderProcessCommitToActiveMs: distribution(process.active),
    orderProcessCommitToEnqueuedMs: distribution(process.enqueue),
    allCommitToActiveMs: distribution([...byType.values()].flatMap((b) => b.active)),
    byType: Object.fromEntries(
      [...byType].map(([type, b]) => [
        type,
        { commitToEnqueuedMs: distribution(b.enqueue), commitToActiveMs: distribution(b.active) },
      ]),
    ),
    rowsWithoutActiveJob: missing,
  };
}
