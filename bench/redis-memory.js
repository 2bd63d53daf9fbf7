#!/usr/bin/env node
/**
 * `npm run bench:redis-memory`: how much Redis memory open orders cost, for README "Scaling and sizing".
 *
 * Runs the compiled api (`dist/main.js`), worker (`dist/worker.js`) and the fake Stripe as processes against a
 * fresh database and a private `redis-server` on a free port (so INFO memory counts nothing but Dispatch), then:
 *   1. open: MEMORY_ORDERS orders placed (POST /v1/orders, c=32) and left unpaid, until the relay has put each
 *      one's payment-window job (EXPIRE, delayed by PAYMENT_WINDOW_SECONDS) into the orders queue;
 *   2. processed: every one of them paid (signed payment_intent.succeeded webhook), until all are PROCESSED and
 *      every queue is idle. Completed jobs stay in Redis for JOB_COMPLETED_RETENTION_SECONDS (a day by default)
 *      and the EXPIRE jobs stay delayed until the window closes, so this is the footprint of a day's orders.
 * After the baseline and each phase: INFO memory (used_memory, used_memory_dataset), the key count, and
 * MEMORY USAGE of every key summed by kind. Writes bench/results/redis-memory-<date>.json and prints a table
 * per 10,000 orders.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const Redis = require('ioredis');

const {
  appEnv,
  freePort,
  httpClient,
  randomUUID,
  seedItems,
  seedUsers,
  signedSucceeded,
  sleep,
  sql,
  start,
  startFakeStripe,
  waitReady,
} = require('./bench-support');

const env = process.env;
const ADMIN_DB = env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const ORDERS = Number(env.MEMORY_ORDERS || 10_000);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS || 32);
const QUEUES = ['orders', 'notifications', 'documents', 'fulfilment'];

/** What a key is, from its name: BullMQ structure per queue, or the app's own kinds. */
function kindOf(key, prefix) {
  const rest = key.slice(prefix.length);
  const queue = /^\{([a-z]+)\}:\1:(.*)$/.exec(rest);
  if (queue) {
    const [, name, tail] = queue;
    // Job ids are the outbox ids (`ob-<id>`, jobIdFor); the rest are the queue's own structures.
    const job = /^ob-\d+(:.+)?$/.exec(tail);
    if (job) return `${name}: job ${job[1] ? job[1].slice(1) : 'hashes'}`;
    return `${name}: ${tail}`;
  }
  const [head] = rest.split(':');
  return `app: ${head}`;
}

async function measure(redis, prefix) {
  const info = await redis.info('memory');
  const field = (name) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)[1]);
  const byKind = {};
  let keys = 0;
  let bytes = 0;
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (found.length) {
      const pipeline = redis.pipeline();
      for (const key of found) pipeline.memory('USAGE', key, 'SAMPLES', '0');
      const sizes = await pipeline.exec();
      found.forEach((key, i) => {
        const size = Number(sizes[i][1] ?? 0);
        const kind = kindOf(key, prefix);
        byKind[kind] = byKind[kind] ?? { keys: 0, bytes: 0 };
        byKind[kind].keys++;
        byKind[kind].bytes += size;
        keys++;
        bytes += size;
      });
    }
    cursor = next;
  } while (cursor !== '0');
  return {
    usedMemory: field('used_memory'),
    usedMemoryDataset: field('used_memory_dataset'),
    keys,
    keyBytes: bytes,
    byKind,
  };
}

/** Growth between two measurements, scaled to 10,000 orders. */
function per10k(from, to, orders) {
  const scale = (n) => Math.round((n * 10_000) / orders);
  const kinds = new Set([...Object.keys(from.byKind), ...Object.keys(to.byKind)]);
  return {
    usedMemoryMiB: Math.round((scale(to.usedMemory - from.usedMemory) / 2 ** 20) * 10) / 10,
    usedMemoryDatasetMiB:
      Math.round((scale(to.usedMemoryDataset - from.usedMemoryDataset) / 2 ** 20) * 10) / 10,
    keySumMiB: Math.round((scale(to.keyBytes - from.keyBytes) / 2 ** 20) * 10) / 10,
    keys: scale(to.keys - from.keys),
    bytesPerOrder: Math.round((to.usedMemory - from.usedMemory) / orders),
    byKind: Object.fromEntries(
      [...kinds]
        .map((k) => [k, to.byKind[k] ?? { keys: 0, bytes: 0 }, from.byKind[k] ?? { keys: 0, bytes: 0 }])
        .map(([k, t, f]) => [
          k,
          { keys: scale(t.keys - f.keys), KiB: Math.round(scale(t.bytes - f.bytes) / 1024) },
        ])
        .filter(([, v]) => v.keys !== 0 || v.KiB !== 0)
        .sort((a, b) => b[1].KiB - a[1].KiB),
    ),
  };
}

async function queueCounts(redis, prefix) {
  const counts = {};
  for (const q of QUEUES) {
    const key = (part) => `${prefix}{${q}}:${q}:${part}`;
    const [wait, active, prioritized, delayed] = await Promise.all([
      redis.llen(key('wait')),
      redis.llen(key('active')),
      redis.zcard(key('prioritized')),
      redis.zcard(key('delayed')),
    ]);
    counts[q] = { wait, active, prioritized, delayed };
  }
  return counts;
}

async function until(what, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

/** Runs `work(i)` for i < count on `connections` concurrent loops. */
async function concurrently(count, connections, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      for (let i = next++; i < count; i = next++) await work(i);
    }),
  );
}

async function main() {
  const date = new Date().toISOString();
  const stamp = date.slice(0, 19).replace(/:/g, '-');
  const db = `dispatch_mem_${Date.now()}`;
  const dbUrl = new URL(ADMIN_DB);
  dbUrl.pathname = `/${db}`;
  const prefix = 'dispatch:';
  const [redisPort, appPort, stripePort, smtpPort, erpPort, metricsPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const redisDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-mem-redis-'));
  const redisServer = spawn(
    'redis-server',
    [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      redisDir,
    ],
    { stdio: 'ignore' },
  );
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const redis = new Redis(redisUrl);
  redis.on('error', () => undefined); // refused until redis-server listens
  const secret = 'whsec_bench';
  const base = `http://127.0.0.1:${appPort}`;
  const vars = appEnv({
    port: appPort,
    dbUrl: dbUrl.toString(),
    redisUrl,
    prefix,
    stripePort,
    secret,
    smtpPort,
    erpPort,
    metricsPort,
    poolSize: '20',
  });
  let stripe;
  let api;
  let worker;
  const report = {
    date,
    method:
      'private redis-server (nothing else in it); INFO memory and the sum of MEMORY USAGE <key> SAMPLES 0 over every key, after the baseline and each phase; deltas scaled to 10,000 orders',
    settings: {
      orders: ORDERS,
      connections: CONNECTIONS,
      paymentWindowSeconds: 1800,
      completedRetentionSeconds: 86400,
      redis: null,
    },
  };
  try {
    await until('the private redis-server', () => redis.ping().catch(() => false), 10_000);
    await sql(ADMIN_DB, `CREATE DATABASE ${db}`);
    stripe = startFakeStripe(stripePort, base, secret);
    api = start('main.js', vars, 'api');
    await waitReady(`${base}/v1/health/ready`);
    worker = start('worker.js', vars, 'worker');
    await waitReady(`http://127.0.0.1:${metricsPort}/metrics`);
    report.settings.redis = /redis_version:(\S+)/.exec(await redis.info('server'))[1];
    const tokens = await seedUsers(base, 32);
    const bodies = await seedItems(dbUrl.toString(), 100);
    // Let the seeding's own jobs and cache settle before the baseline.
    await sleep(2000);
    const baseline = await measure(redis, prefix);

    console.log(`open: placing ${ORDERS} orders (c=${CONNECTIONS}), left unpaid`);
    const request = httpClient(base, CONNECTIONS * 2);
    const orders = [];
    let failed = 0;
    await concurrently(ORDERS, CONNECTIONS, async (i) => {
      const res = await request(
        'POST',
        '/v1/orders',
        {
          'content-type': 'application/json',
          authorization: `Bearer ${tokens[i % tokens.length]}`,
          'idempotency-key': randomUUID(),
        },
        bodies[i % bodies.length],
      );
      if (res.status === 201) orders.push(JSON.parse(res.body));
      else failed++;
    });
    await until(
      'every payment-window job in the orders queue',
      async () => (await queueCounts(redis, prefix)).orders.delayed >= orders.length,
      300_000,
    );
    const open = await measure(redis, prefix);

    console.log(`processed: paying ${orders.length} orders, until PROCESSED and every queue is idle`);
    await concurrently(orders.length, CONNECTIONS, async (i) => {
      const o = orders[i];
      const event = signedSucceeded(secret, o.paymentIntentId, o.id, o.totalCents, o.currency);
      const res = await request(
        'POST',
        '/v1/payments/webhook',
        { 'content-type': 'application/json', 'stripe-signature': event.header },
        event.payload,
      );
      if (res.status !== 200) failed++;
    });
    await until(
      'every order PROCESSED and every queue idle',
      async () => {
        const [{ processed }] = await sql(
          dbUrl.toString(),
          `SELECT count(*)::int AS processed FROM orders WHERE status = 'PROCESSED'`,
        );
        if (processed < orders.length) return false;
        const [{ unsent }] = await sql(
          dbUrl.toString(),
          `SELECT count(*)::int AS unsent FROM outbox WHERE sent_at IS NULL`,
        );
        const counts = await queueCounts(redis, prefix);
        return (
          unsent === 0 && QUEUES.every((q) => counts[q].wait + counts[q].active + counts[q].prioritized === 0)
        );
      },
      900_000,
    );
    const processed = await measure(redis, prefix);

    report.orders = { placed: orders.length, failedRequests: failed };
    report.measurements = { baseline, open, processed };
    report.per10kOrders = {
      open: per10k(baseline, open, orders.length),
      processedWithinRetention: per10k(baseline, processed, orders.length),
    };
  } finally {
    for (const p of [api, worker, stripe]) p?.child.kill('SIGTERM');
    await sleep(1500);
    for (const p of [api, worker, stripe]) p?.child.kill('SIGKILL');
    redis.disconnect();
    redisServer.kill('SIGKILL');
    fs.rmSync(redisDir, { recursive: true, force: true });
    await sql(ADMIN_DB, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
  }

  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `redis-memory-${stamp}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  const row = (r) => ({
    'used_memory MiB': r.usedMemoryMiB,
    'dataset MiB': r.usedMemoryDatasetMiB,
    'sum of keys MiB': r.keySumMiB,
    keys: r.keys,
  });
  console.table({
    'open (unpaid, EXPIRE job delayed)': row(report.per10kOrders.open),
    'paid + PROCESSED, within job retention': row(report.per10kOrders.processedWithinRetention),
  });
  console.table(report.per10kOrders.processedWithinRetention.byKind);
  console.log(`report: ${path.relative(process.cwd(), file)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
