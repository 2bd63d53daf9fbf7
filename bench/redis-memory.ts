/**
 * `npm run bench:redis-memory`: how much Redis memory open orders cost, for README "Scaling and sizing".
 *
 * Runs the bench's Dispatch stack (api, worker and the partner fakes as processes, bench/support/dispatch-stack)
 * against a fresh database and a private `redis-server` on a free port (so INFO memory counts nothing but
 * Dispatch), then:
 *   1. open: MEMORY_ORDERS orders placed (POST /v1/orders, c=BENCH_CONNECTIONS) and left unpaid, until the relay
 *      has put each one's payment-window job (EXPIRE, delayed by the payment window) into the orders queue;
 *   2. processed: every one of them paid (signed payment_intent.succeeded webhook), until all are PROCESSED and
 *      every queue is idle. Completed jobs stay in Redis for JOB_COMPLETED_RETENTION_SECONDS (a day by default)
 *      and the EXPIRE jobs stay delayed until the window closes, so this is the footprint of a day's orders.
 * After the baseline and each phase: INFO memory (used_memory, used_memory_dataset), the key count, and
 * MEMORY USAGE of every key summed by kind. Writes bench/results/redis-memory-<date>.json (ignored by git) and
 * prints a table per 10,000 orders.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import Redis from 'ioredis';

import { QueueName } from '../src/infra/queue/queue-names';
import { BenchDatabase, queryOnce } from './support/database';
import { DispatchStack } from './support/dispatch-stack';
import { httpClient } from './support/http-client';
import { postOrder, postPaymentSucceeded } from './support/order-flow';
import { freePort } from './support/processes';
import { ProcSampler } from './support/proc-sampler';
import { seed } from './support/seed';
import { settings } from './support/settings';
import { PaidOrder } from './support/stripe-webhook';

const ORDERS = settings.memoryOrders;
const QUEUES = Object.values(QueueName);

interface KindUse {
  keys: number;
  bytes: number;
}

interface Measurement {
  usedMemory: number;
  usedMemoryDataset: number;
  keys: number;
  keyBytes: number;
  byKind: Record<string, KindUse>;
}

/** What a key is, from its name: BullMQ structure per queue (`<prefix>{queue}:queue:…`), or the app's own kinds. */
function kindOf(key: string, prefix: string): string {
  const rest = key.slice(prefix.length);
  const queue = /^\{([a-z]+)\}:\1:(.*)$/.exec(rest);
  if (queue) {
    const [, name, tail] = queue;
    // Job ids are the outbox ids (`ob-<id>`, jobIdFor); the rest are the queue's own structures.
    const job = /^ob-\d+(:.+)?$/.exec(tail);
    if (job) return `${name}: job ${job[1] ? job[1].slice(1) : 'hashes'}`;
    return `${name}: ${tail}`;
  }
  return `app: ${rest.split(':')[0]}`;
}

async function measure(redis: Redis, prefix: string): Promise<Measurement> {
  const info = await redis.info('memory');
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
  const byKind: Record<string, KindUse> = {};
  let keys = 0;
  let keyBytes = 0;
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (found.length) {
      const pipeline = redis.pipeline();
      for (const key of found) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
      const sizes = (await pipeline.exec()) ?? [];
      found.forEach((key, i) => {
        const size = Number(sizes[i]?.[1] ?? 0);
        const use = (byKind[kindOf(key, prefix)] ??= { keys: 0, bytes: 0 });
        use.keys++;
        use.bytes += size;
        keys++;
        keyBytes += size;
      });
    }
    cursor = next;
  } while (cursor !== '0');
  return {
    usedMemory: field('used_memory'),
    usedMemoryDataset: field('used_memory_dataset'),
    keys,
    keyBytes,
    byKind,
  };
}

/** Growth between two measurements, scaled to 10,000 orders. */
function per10k(from: Measurement, to: Measurement, orders: number) {
  const scale = (n: number) => Math.round((n * 10_000) / orders);
  const mib = (n: number) => Math.round((scale(n) / 2 ** 20) * 10) / 10;
  const none: KindUse = { keys: 0, bytes: 0 };
  const kinds = [...new Set([...Object.keys(from.byKind), ...Object.keys(to.byKind)])]
    .map((kind) => {
      const [t, f] = [to.byKind[kind] ?? none, from.byKind[kind] ?? none];
      return [
        kind,
        { keys: scale(t.keys - f.keys), KiB: Math.round(scale(t.bytes - f.bytes) / 1024) },
      ] as const;
    })
    .filter(([, use]) => use.keys !== 0 || use.KiB !== 0)
    .sort((a, b) => b[1].KiB - a[1].KiB);
  return {
    usedMemoryMiB: mib(to.usedMemory - from.usedMemory),
    usedMemoryDatasetMiB: mib(to.usedMemoryDataset - from.usedMemoryDataset),
    keySumMiB: mib(to.keyBytes - from.keyBytes),
    keys: scale(to.keys - from.keys),
    bytesPerOrder: Math.round((to.usedMemory - from.usedMemory) / orders),
    byKind: Object.fromEntries(kinds),
  };
}

async function queueCounts(redis: Redis, stack: DispatchStack) {
  const counts: Record<string, { wait: number; active: number; prioritized: number; delayed: number }> = {};
  for (const queue of QUEUES) {
    const key = (part: string) => `${stack.queuePrefix(queue)}:${queue}:${part}`;
    const [wait, active, prioritized, delayed] = await Promise.all([
      redis.llen(key('wait')),
      redis.llen(key('active')),
      redis.zcard(key('prioritized')),
      redis.zcard(key('delayed')),
    ]);
    counts[queue] = { wait, active, prioritized, delayed };
  }
  return counts;
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

/** Runs `work(i)` for every i < count on `connections` concurrent loops. */
async function concurrently(
  count: number,
  connections: number,
  work: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      for (let i = next++; i < count; i = next++) await work(i);
    }),
  );
}

function privateRedis(port: number, dir: string): ChildProcess {
  return spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
}

async function main(): Promise<void> {
  const date = new Date().toISOString();
  const stamp = date.slice(0, 19).replace(/:/g, '-');
  const database = `dispatch_mem_${Date.now()}`;
  const dbUrl = new URL(settings.adminDatabaseUrl);
  dbUrl.pathname = `/${database}`;
  const prefix = 'dispatch:';
  const redisPort = await freePort();
  const redisDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-mem-redis-'));
  const redisServer = privateRedis(redisPort, redisDir);
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const redis = new Redis(redisUrl);
  redis.on('error', () => undefined); // refused until redis-server listens
  const sampler = new ProcSampler(settings.sampleMs);
  let stack: DispatchStack | null = null;
  let db: BenchDatabase | null = null;
  const report: Record<string, unknown> = {
    date,
    method:
      'private redis-server (nothing else in it); INFO memory and the sum of MEMORY USAGE <key> SAMPLES 0 over every key, after the baseline and each phase; deltas scaled to 10,000 orders',
  };
  let per10kOrders: Record<string, ReturnType<typeof per10k>> = {};
  try {
    await until(
      'the private redis-server',
      () =>
        redis.ping().then(
          () => true,
          () => false,
        ),
      10_000,
    );
    await queryOnce(settings.adminDatabaseUrl, `CREATE DATABASE ${database}`);
    db = new BenchDatabase(dbUrl.toString());
    stack = await DispatchStack.create({ ...settings, redisUrl }, sampler, {
      databaseUrl: db.url,
      keyPrefix: prefix,
      profileFile: path.join(settings.resultsDir, 'redis-memory.none.cpuprofile'),
    });
    await stack.start('api');
    await stack.start('worker');
    const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1];
    report.settings = { orders: ORDERS, connections: settings.connections, redis: redisVersion };
    const { tokens, bodies } = await seed(settings, stack.base, db);
    // Let the seeding's own jobs and cache settle before the baseline.
    await sleep(2000);
    const baseline = await measure(redis, prefix);

    console.log(`open: placing ${ORDERS} orders (c=${settings.connections}), left unpaid`);
    const client = httpClient(stack.base, settings.connections * 2);
    const orders: PaidOrder[] = [];
    let failed = 0;
    await concurrently(ORDERS, settings.connections, async (i) => {
      const res = await postOrder(client.request, { tokens, bodies }, i);
      if (res.status === 201) orders.push(JSON.parse(res.body) as PaidOrder);
      else failed++;
    });
    const live = stack;
    await until(
      'every payment-window job in the orders queue',
      async () => (await queueCounts(redis, live))[QueueName.Orders].delayed >= orders.length,
      300_000,
    );
    const open = await measure(redis, prefix);

    console.log(`processed: paying ${orders.length} orders, until PROCESSED and every queue is idle`);
    await concurrently(orders.length, settings.connections, async (i) => {
      const res = await postPaymentSucceeded(client.request, live.webhookSecret, orders[i]);
      if (res.status !== 200) failed++;
    });
    const bench = db;
    await until(
      'every order PROCESSED and every queue idle',
      async () => {
        const [{ processed, unsent }] = await bench.query<{ processed: number; unsent: number }>(
          `SELECT (SELECT count(*)::int FROM orders WHERE status = 'PROCESSED') AS processed,
                  (SELECT count(*)::int FROM outbox WHERE sent_at IS NULL AND deliver_after IS NULL) AS unsent`,
        );
        if (processed < orders.length || unsent > 0) return false;
        const counts = Object.values(await queueCounts(redis, live));
        return counts.every((c) => c.wait + c.active + c.prioritized === 0);
      },
      900_000,
    );
    const processed = await measure(redis, prefix);
    client.close();

    report.orders = { placed: orders.length, failedRequests: failed };
    report.measurements = { baseline, open, processed };
    per10kOrders = {
      open: per10k(baseline, open, orders.length),
      processedWithinRetention: per10k(baseline, processed, orders.length),
    };
    report.per10kOrders = per10kOrders;
  } finally {
    sampler.stop();
    await stack?.stopAll();
    await db?.close().catch(() => undefined);
    redis.disconnect();
    redisServer.kill('SIGKILL');
    fs.rmSync(redisDir, { recursive: true, force: true });
    await queryOnce(settings.adminDatabaseUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(
      () => undefined,
    );
  }

  fs.mkdirSync(settings.resultsDir, { recursive: true });
  const file = path.join(settings.resultsDir, `redis-memory-${stamp}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  const row = (r: ReturnType<typeof per10k>) => ({
    'used_memory MiB': r.usedMemoryMiB,
    'dataset MiB': r.usedMemoryDatasetMiB,
    'sum of keys MiB': r.keySumMiB,
    keys: r.keys,
  });
  console.table({
    'open (unpaid, EXPIRE job delayed)': row(per10kOrders.open),
    'paid + PROCESSED, within job retention': row(per10kOrders.processedWithinRetention),
  });
  console.table(per10kOrders.processedWithinRetention.byKind);
  console.log(`report: ${path.relative(process.cwd(), file)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
