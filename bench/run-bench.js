#!/usr/bin/env node
/**
 * `npm run bench`: measures Dispatch on this machine and writes bench/results/<date>.json.
 *
 * Starts the fake Stripe as its own process (Stripe is remote in production, so it should not share the
 * app's event loop), the api (`dist/main.js`) on a fresh database, seeds users and stock, then:
 *   1. raw ceiling: pgbench runs an order-like transaction (bench/order-transaction.pgbench.sql) on the same
 *      schema with the same client count, before the worker starts; its rows are removed afterwards
 *   2. starts the worker (`dist/worker.js`) as its own process, so api and worker RSS are both measured
 *   3. POST /v1/orders (unique Idempotency-Key per request, users rotated), c=BENCH_CONNECTIONS, BENCH_DURATION s
 *   4. GET  /v1/items (cached), same connections, BENCH_READ_DURATION s
 *   5. end to end: BENCH_E2E_ORDERS orders, each POSTed then paid by a signed payment_intent.succeeded webhook
 *      (signed like Stripe and our fake Stripe: t=…,v1=HMAC-SHA256(secret, "t.payload")), until every order is
 *      PROCESSED in Postgres
 *   6. outbox dispatch lag of the rows written in step 5: commit (outbox.occurred_at, the transaction's start,
 *      so an upper bound) → job enqueued (BullMQ job.timestamp) → job active (BullMQ job.processedOn)
 * and samples api and worker RSS and `vmstat 1` throughout. BENCH_PROFILE=1 also writes a CPU profile of the
 * api during step 3 (bench/results/<date>.api.cpuprofile) and summarises it in the report.
 */
const { spawn, spawnSync } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const autocannon = require('autocannon');
const Redis = require('ioredis');
const { Client } = require('pg');

const { summarise: summariseProfile } = require('./analyse-cpuprofile');
const {
  DIST,
  ROOT,
  appEnv: benchAppEnv,
  freePort,
  httpClient,
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
const REDIS_URL = env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
const CONNECTIONS = Number(env.BENCH_CONNECTIONS || 32);
const DURATION = Number(env.BENCH_DURATION || 30);
const READ_DURATION = Number(env.BENCH_READ_DURATION || 10);
const PGBENCH_DURATION = Number(env.BENCH_PGBENCH_DURATION || 15);
const E2E_ORDERS = Number(env.BENCH_E2E_ORDERS || 2000);
const USERS = Number(env.BENCH_USERS || 32);
// Orders spread over this many items (one hot item serialises every order on its row lock).
const ITEMS = Number(env.BENCH_ITEMS || 100);
// BENCH_PROFILE=1 (or =orders) profiles the api during POST /v1/orders; BENCH_PROFILE=items during GET /v1/items.
const PROFILE = ['1', 'true', 'orders', 'items'].includes(env.BENCH_PROFILE ?? '');
const PROFILE_PHASE = env.BENCH_PROFILE === 'items' ? 'items' : 'orders';
// Node flags of the api process, as a deployment would set them (docker/Dockerfile uses the same).
const API_NODE_ARGS = (env.BENCH_API_NODE_ARGS ?? '--max-old-space-size=192').split(' ').filter(Boolean);
const PHASES = new Set((env.BENCH_PHASES || 'pgbench,orders,items,e2e').split(','));

/** The issue's targets (2-core machine). */
const TARGETS = {
  postOrdersRps: 1000,
  postOrdersP99Ms: 50,
  postOrdersVsCeiling: 0.5,
  e2eOrdersPerSec: 500,
  outboxLagP50Ms: 5,
  outboxLagP99Ms: 50,
  getItemsRps: 10_000,
  apiRssMiB: 300,
};

function rssOf(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) * 1024;
  } catch {
    return 0;
  }
}

const mib = (bytes) => Math.round(bytes / 2 ** 20);

/** Peak RSS per process and phase; `phase(name)` starts a new phase. */
function rssSampler(processes) {
  const peaks = {};
  let current = 'startup';
  const sample = () => {
    for (const [name, proc] of Object.entries(processes)) {
      if (!proc?.child?.pid) continue;
      const key = `${current}.${name}`;
      peaks[key] = Math.max(peaks[key] ?? 0, rssOf(proc.child.pid));
    }
  };
  const timer = setInterval(sample, 200);
  return {
    phase: (name) => {
      sample();
      current = name;
    },
    peak: (phase, name) => mib(peaks[`${phase}.${name}`] ?? 0),
    stop: () => clearInterval(timer),
  };
}

/** `vmstat 1` for the whole run; averages of us/sy/id/wa per phase. */
function vmstatSampler() {
  const rows = [];
  let current = 'startup';
  let child;
  try {
    child = spawn('vmstat', ['-n', '1'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop();
      for (const line of lines) {
        const f = line.trim().split(/\s+/).map(Number);
        // r b swpd free buff cache si so bi bo in cs us sy id wa st
        if (f.length >= 16 && f.every((n) => Number.isFinite(n))) {
          rows.push({ phase: current, r: f[0], us: f[12], sy: f[13], id: f[14], wa: f[15] });
        }
      }
    });
    child.on('error', () => undefined);
  } catch {
    /* vmstat missing: no CPU breakdown */
  }
  return {
    phase: (name) => (current = name),
    averages: (phase) => {
      const own = rows.slice(1).filter((r) => r.phase === phase);
      if (own.length === 0) return null;
      const avg = (k) => Math.round((10 * own.reduce((s, r) => s + r[k], 0)) / own.length) / 10;
      return {
        samples: own.length,
        runQueue: avg('r'),
        userPct: avg('us'),
        sysPct: avg('sy'),
        idlePct: avg('id'),
        iowaitPct: avg('wa'),
      };
    },
    stop: () => child?.kill('SIGTERM'),
  };
}

/**
 * CPU seconds used per process group since the previous call (utime + stime from /proc): api, worker, fake
 * Stripe, this bench process (autocannon and the end-to-end client), the Postgres backends of the bench database
 * (the app's pooled connections; pgbench's exit before they can be read), redis-server (shared with other users
 * of the machine), and everything else (time of processes that exit within a phase is lost). `<name> (sys)` is the kernel part of a named
 * process. Shows where the machine's two cores went in a phase.
 */
function cpuAccount(processes, database) {
  const ticks = 100; // USER_HZ on Linux
  const read = () => {
    const totals = {};
    const named = new Map(
      Object.entries(processes)
        .filter(([, p]) => p?.child?.pid)
        .map(([name, p]) => [p.child.pid, name]),
    );
    named.set(process.pid, 'bench client');
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat;
      try {
        stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue;
      }
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      let group = named.get(pid) ?? (comm.startsWith('redis-server') ? 'redis' : 'other');
      if (comm === 'postgres') {
        // Backends show their database in the process title: the app's pools are ours, the rest is not.
        let title = '';
        try {
          title = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        } catch {
          /* exited */
        }
        group = title.includes(database) ? 'postgres (bench db)' : 'postgres (others)';
      }
      totals[group] = (totals[group] ?? 0) + (Number(fields[11]) + Number(fields[12])) / ticks;
      if (named.has(pid)) totals[`${group} (sys)`] = Number(fields[12]) / ticks;
    }
    return totals;
  };
  let last = read();
  return () => {
    const now = read();
    const delta = {};
    for (const [group, value] of Object.entries(now)) {
      // Exited processes' time is lost: clamp so a group never shows negative.
      delta[group] = Math.max(0, Math.round((value - (last[group] ?? 0)) * 100) / 100);
    }
    last = now;
    return delta;
  };
}

function run(options) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
    autocannon.track(instance, {
      renderProgressBar: false,
      renderResultsTable: false,
      renderLatencyTable: false,
    });
  });
}

const summary = (r) => ({
  requestsPerSec: Math.round(r.requests.average),
  latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
  total: r.requests.total,
  non2xx: r.non2xx,
  errors: r.errors,
  timeouts: r.timeouts,
  statusCodes: r.statusCodeStats,
});

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[i] * 10) / 10;
}

const distribution = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: percentile(sorted, 100),
  };
};

function findPgbench() {
  const candidates = [env.BENCH_PGBENCH, '/usr/lib/postgresql/15/bin/pgbench', 'pgbench'].filter(Boolean);
  for (const candidate of candidates) {
    if (spawnSync(candidate, ['--version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return null;
}

/** pgbench with the order transaction; latency percentiles from its per-transaction log. */
async function rawCeiling(dbUrl) {
  const pgbench = findPgbench();
  if (!pgbench) return { skipped: 'pgbench not found (set BENCH_PGBENCH)' };
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-pgbench-'));
  const url = new URL(dbUrl);
  const args = [
    '-n',
    '-M',
    'prepared',
    '-c',
    String(CONNECTIONS),
    '-j',
    String(Math.min(CONNECTIONS, os.cpus().length)),
    '-T',
    String(PGBENCH_DURATION),
    '-f',
    path.join(__dirname, 'order-transaction.pgbench.sql'),
    '-D',
    `items=${ITEMS}`,
    '-D',
    `users=${USERS}`,
    '-l',
    '--log-prefix',
    path.join(logDir, 'tx'),
    '-h',
    url.hostname,
    '-p',
    url.port || '5432',
    '-U',
    decodeURIComponent(url.username) || 'postgres',
    url.pathname.slice(1),
  ];
  const result = await new Promise((resolve) => {
    const child = spawn(pgbench, args, {
      env: { PATH: env.PATH, PGPASSWORD: decodeURIComponent(url.password) },
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('exit', (code) => resolve({ code, out }));
  });
  const latencies = [];
  for (const file of fs.readdirSync(logDir)) {
    for (const line of fs.readFileSync(path.join(logDir, file), 'utf8').split('\n')) {
      const f = line.split(' ');
      if (f.length >= 6) latencies.push(Number(f[2]) / 1000);
    }
  }
  fs.rmSync(logDir, { recursive: true, force: true });
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(result.out);
  const failed = /number of failed transactions: (\d+)/.exec(result.out);
  if (result.code !== 0 || !tps) return { error: result.out.slice(-2000) };
  const sorted = latencies.sort((a, b) => a - b);
  return {
    tps: Math.round(Number(tps[1])),
    latencyMs: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: percentile(sorted, 100),
    },
    transactions: sorted.length,
    failed: failed ? Number(failed[1]) : 0,
    clients: CONNECTIONS,
    durationSeconds: PGBENCH_DURATION,
  };
}

/** Removes what pgbench wrote (orders, lines, outbox rows) and gives the stock back. */
async function removePgbenchRows(dbUrl) {
  await sql(
    dbUrl,
    `WITH o AS (DELETE FROM outbox WHERE correlation_id = 'pgbench' RETURNING aggregate_id),
          l AS (SELECT item_id, sum(quantity)::int AS q FROM order_lines WHERE order_id IN (SELECT aggregate_id FROM o) GROUP BY item_id),
          s AS (UPDATE items i SET stock = i.stock + l.q FROM l WHERE i.id = l.item_id RETURNING 1)
     DELETE FROM orders WHERE id IN (SELECT aggregate_id FROM o)`,
  );
}

/** Minimal keep-alive JSON client for the end-to-end phase (autocannon cannot chain requests). */
/** N orders: POST, then the signed payment webhook, c clients in parallel; then wait until all are PROCESSED. */
async function endToEnd({ base, dbUrl, tokens, bodies, secret }) {
  const request = httpClient(base, CONNECTIONS * 2);
  const orderIds = [];
  const errors = { post: 0, webhook: 0, samples: [] };
  let next = 0;
  const t0 = Date.now();
  const client = async () => {
    for (let i = next++; i < E2E_ORDERS; i = next++) {
      const posted = await request(
        'POST',
        '/v1/orders',
        {
          'content-type': 'application/json',
          authorization: `Bearer ${tokens[i % tokens.length]}`,
          'idempotency-key': randomUUID(),
        },
        bodies[i % bodies.length],
      );
      if (posted.status !== 201) {
        errors.post++;
        if (errors.samples.length < 5)
          errors.samples.push(`POST ${posted.status} ${posted.body.slice(0, 200)}`);
        continue;
      }
      const order = JSON.parse(posted.body);
      orderIds.push(order.id);
      const event = signedSucceeded(
        secret,
        order.paymentIntentId,
        order.id,
        order.totalCents,
        order.currency,
      );
      const hook = await request(
        'POST',
        '/v1/payments/webhook',
        { 'content-type': 'application/json', 'stripe-signature': event.header },
        event.payload,
      );
      if (hook.status !== 200) {
        errors.webhook++;
        if (errors.samples.length < 5)
          errors.samples.push(`webhook ${hook.status} ${hook.body.slice(0, 200)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, client));
  const tRequestsDone = Date.now();
  const deadline = Date.now() + 180_000;
  let state = { processed: 0, last: null };
  const db = new Client({ connectionString: dbUrl });
  await db.connect();
  try {
    while (Date.now() < deadline) {
      const [row] = (
        await db.query(
          `SELECT count(*) FILTER (WHERE status = 'PROCESSED')::int AS processed, max(updated_at) AS last,
                  count(*) FILTER (WHERE status NOT IN ('PENDING', 'PAID', 'PROCESSED'))::int AS other
             FROM orders WHERE id = ANY($1::uuid[])`,
          [orderIds],
        )
      ).rows;
      state = row;
      if (row.processed + row.other >= orderIds.length) break;
      await sleep(100);
    }
  } finally {
    await db.end();
  }
  const seconds = ((state.last ? state.last.getTime() : Date.now()) - t0) / 1000;
  return {
    orders: E2E_ORDERS,
    connections: CONNECTIONS,
    placed: orderIds.length,
    processed: state.processed,
    notProcessed: orderIds.length - state.processed,
    ordersPerSec: Math.round(state.processed / seconds),
    secondsFirstPostToLastProcessed: Math.round(seconds * 100) / 100,
    secondsRequestsOnly: Math.round((tRequestsDone - t0) / 10) / 100,
    errors,
  };
}

/**
 * Commit → enqueued → active for every outbox row written since `afterId` that is not delayed. Reads what the
 * app already records: outbox.occurred_at (now() of the writing transaction) and the BullMQ job hash
 * (timestamp = added by the relay, processedOn = moved to active by a worker; completed jobs are retained).
 */
async function outboxLag({ dbUrl, redisUrl, keyPrefix, afterId }) {
  const { OUTBOX_ROUTES, jobIdFor } = require(path.join(DIST, 'modules/outbox/outbox-message.js'));
  const { queuePrefix } = require(path.join(DIST, 'infra/queue/queue.module.js'));
  const jobKey = (queue, jobId) => `${queuePrefix({ redis: { keyPrefix } }, queue)}:${queue}:${jobId}`;
  const rows = await sql(
    dbUrl,
    `SELECT id, type, payload->>'kind' AS kind, (extract(epoch FROM occurred_at) * 1000)::float8 AS committed_ms
       FROM outbox WHERE id > $1 AND deliver_after IS NULL ORDER BY id`,
    [afterId],
  );
  const redis = new Redis(redisUrl);
  const pipeline = redis.pipeline();
  for (const row of rows)
    pipeline.hmget(jobKey(OUTBOX_ROUTES[row.type].queue, jobIdFor(row.id)), 'timestamp', 'processedOn');
  const answers = await pipeline.exec();
  redis.disconnect();
  const byType = new Map();
  const all = { enqueue: [], active: [] };
  let missing = 0;
  rows.forEach((row, i) => {
    const [timestamp, processedOn] = answers[i][1] ?? [];
    if (!timestamp || !processedOn) {
      missing++;
      return;
    }
    const enqueue = Number(timestamp) - row.committed_ms;
    const active = Number(processedOn) - row.committed_ms;
    const bucket = byType.get(row.type) ?? { enqueue: [], active: [] };
    bucket.enqueue.push(enqueue);
    bucket.active.push(active);
    byType.set(row.type, bucket);
    all.enqueue.push(enqueue);
    all.active.push(active);
  });
  const process = byType.get('ORDER_PROCESS') ?? { enqueue: [], active: [] };
  return {
    method:
      'ms from outbox.occurred_at (the writing transaction start: an upper bound of commit) to BullMQ job.timestamp (relay addBulk) and job.processedOn (active); rows written during the end-to-end phase, delayed jobs excluded',
    orderProcessCommitToActiveMs: distribution(process.active),
    orderProcessCommitToEnqueuedMs: distribution(process.enqueue),
    allCommitToEnqueuedMs: distribution(all.enqueue),
    allCommitToActiveMs: distribution(all.active),
    byType: Object.fromEntries(
      [...byType].map(([type, b]) => [
        type,
        { commitToEnqueuedMs: distribution(b.enqueue), commitToActiveMs: distribution(b.active) },
      ]),
    ),
    rowsWithoutActiveJob: missing,
  };
}

function evaluateTargets(report) {
  const t = [];
  const add = (name, target, measured, met) =>
    t.push({ name, target, measured, met: measured == null ? null : met });
  /** The two targets every autocannon phase shares: no failed request, api RSS under the bound. */
  const errorsAndRss = (label, phase) => {
    const failed = phase.non2xx + phase.errors + phase.timeouts;
    add(`${label} errors`, '0 non-2xx, 0 errors', failed, failed === 0);
    add(`api RSS peak (${label})`, `<= ${TARGETS.apiRssMiB} MiB`, phase.apiRssPeakMiB, phase.apiRssPeakMiB <= TARGETS.apiRssMiB);
  };
  const post = report.postOrders;
  const ceiling = report.rawCeiling?.tps;
  if (post) {
    add(
      'POST /v1/orders throughput',
      `>= ${TARGETS.postOrdersRps} req/s`,
      post.requestsPerSec,
      post.requestsPerSec >= TARGETS.postOrdersRps,
    );
    add(
      'POST /v1/orders p99',
      `<= ${TARGETS.postOrdersP99Ms} ms`,
      post.latencyMs.p99,
      post.latencyMs.p99 <= TARGETS.postOrdersP99Ms,
    );
    const ratio = ceiling ? Math.round((100 * post.requestsPerSec) / ceiling) / 100 : null;
    add(
      'POST /v1/orders vs raw ceiling',
      `>= ${TARGETS.postOrdersVsCeiling}x pgbench tps`,
      ratio,
      ratio >= TARGETS.postOrdersVsCeiling,
    );
    errorsAndRss('POST /v1/orders', post);
  }
  if (report.getItems) {
    const g = report.getItems;
    add(
      'GET /v1/items throughput',
      `>= ${TARGETS.getItemsRps} req/s`,
      g.requestsPerSec,
      g.requestsPerSec >= TARGETS.getItemsRps,
    );
    errorsAndRss('GET /v1/items', g);
  }
  if (report.endToEnd) {
    const e = report.endToEnd;
    add(
      'end-to-end placed → PROCESSED',
      `>= ${TARGETS.e2eOrdersPerSec} orders/s`,
      e.ordersPerSec,
      e.ordersPerSec >= TARGETS.e2eOrdersPerSec,
    );
    const errs = e.errors.post + e.errors.webhook + e.notProcessed;
    add('end-to-end errors', '0 failed requests, every order PROCESSED', errs, errs === 0);
    add(
      'api RSS peak (end-to-end)',
      `<= ${TARGETS.apiRssMiB} MiB`,
      e.apiRssPeakMiB,
      e.apiRssPeakMiB <= TARGETS.apiRssMiB,
    );
  }
  if (report.outboxLag) {
    const lag = report.outboxLag.orderProcessCommitToActiveMs;
    add(
      'outbox lag p50 (commit → ORDER_PROCESS active)',
      `<= ${TARGETS.outboxLagP50Ms} ms`,
      lag.p50,
      lag.p50 <= TARGETS.outboxLagP50Ms,
    );
    add(
      'outbox lag p99 (commit → ORDER_PROCESS active)',
      `<= ${TARGETS.outboxLagP99Ms} ms`,
      lag.p99,
      lag.p99 <= TARGETS.outboxLagP99Ms,
    );
  }
  return t;
}

async function main() {
  const started = Date.now();
  const date = new Date().toISOString();
  const stamp = date.slice(0, 19).replace(/:/g, '-');
  const resultsDir = path.join(__dirname, 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const db = `dispatch_bench_${Date.now()}`;
  const dbUrl = new URL(ADMIN_DB);
  dbUrl.pathname = `/${db}`;
  const prefix = `bench:${Date.now()}:`;
  await sql(ADMIN_DB, `CREATE DATABASE ${db}`);
  const [appPort, stripePort, smtpPort, erpPort, workerMetricsPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const secret = 'whsec_bench';
  if (env.BENCH_DEBUG) console.log({ appPort, stripePort, smtpPort, erpPort, workerMetricsPort });
  const base = `http://127.0.0.1:${appPort}`;
  const appEnv = benchAppEnv({
    port: appPort,
    dbUrl: dbUrl.toString(),
    redisUrl: REDIS_URL,
    prefix,
    stripePort,
    secret,
    smtpPort,
    erpPort,
    metricsPort: workerMetricsPort,
    poolSize: env.BENCH_POOL_SIZE || '20',
  });
  const profileFile = path.join(resultsDir, `${stamp}.api.cpuprofile`);
  const stripe = startFakeStripe(stripePort, base, secret);
  const api = start(
    'main.js',
    { ...appEnv, ...(PROFILE ? { BENCH_PROFILE_FILE: profileFile } : {}) },
    'api',
    [...API_NODE_ARGS, ...(PROFILE ? ['-r', path.join(__dirname, 'cpu-profile.hook.js')] : [])],
  );
  const processes = { api, worker: null, 'fake stripe': stripe };
  const rss = rssSampler(processes);
  const vmstat = vmstatSampler();
  const cpu = cpuAccount(processes, db);
  const phase = (name) => {
    rss.phase(name);
    vmstat.phase(name);
    cpu();
  };
  /** CPU seconds per process group in the phase just run, and per unit of work (ms). */
  const cpuOf = (units) => {
    const seconds = cpu();
    const total = Object.entries(seconds)
      .filter(([g]) => !g.endsWith('(sys)'))
      .reduce((a, [, b]) => a + b, 0);
    const perUnitMs = Object.fromEntries(
      Object.entries(seconds).map(([g, v]) => [g, Math.round((100 * 1000 * v) / Math.max(1, units)) / 100]),
    );
    return { seconds: { ...seconds, total: Math.round(total * 100) / 100 }, perUnitMs };
  };
  const report = {
    date,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    },
    settings: {
      connections: CONNECTIONS,
      durationSeconds: DURATION,
      readDurationSeconds: READ_DURATION,
      pgbenchDurationSeconds: PGBENCH_DURATION,
      e2eOrders: E2E_ORDERS,
      users: USERS,
      items: ITEMS,
      poolSize: Number(appEnv.DATABASE_POOL_SIZE),
      logLevel: appEnv.LOG_LEVEL,
      processes: 'api (dist/main.js) + worker (dist/worker.js) + fake Stripe, separate processes',
    },
  };
  try {
    await waitReady(`${base}/v1/health/ready`);

    // Seed: users (through the API, so passwords are hashed as in production) and items with ample stock.
    const tokens = await seedUsers(base, USERS);
    const bodies = await seedItems(dbUrl.toString(), ITEMS);

    if (PHASES.has('pgbench')) {
      phase('pgbench');
      console.log(`raw ceiling: pgbench order transaction, c=${CONNECTIONS}, ${PGBENCH_DURATION}s`);
      const ceiling = await rawCeiling(dbUrl.toString());
      report.rawCeiling = {
        ...ceiling,
        vmstat: vmstat.averages('pgbench'),
        cpu: cpuOf(ceiling.transactions ?? 0),
      };
      await removePgbenchRows(dbUrl.toString());
      await sql(dbUrl.toString(), 'VACUUM ANALYZE');
    }

    phase('worker-start');
    processes.worker = start('worker.js', appEnv, 'worker');
    await waitReady(`http://127.0.0.1:${workerMetricsPort}/metrics`);

    if (PHASES.has('orders')) {
      phase('orders');
      let n = 0;
      console.log(`POST /v1/orders: c=${CONNECTIONS}, ${DURATION}s`);
      if (PROFILE && PROFILE_PHASE === 'orders') api.child.kill('SIGWINCH');
      const orders = await run({
        url: `${base}/v1/orders`,
        connections: CONNECTIONS,
        duration: DURATION,
        requests: [
          {
            method: 'POST',
            setupRequest: (req) => ({
              ...req,
              body: bodies[n % bodies.length],
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${tokens[n++ % tokens.length]}`,
                'idempotency-key': randomUUID(),
              },
            }),
          },
        ],
      });
      if (PROFILE && PROFILE_PHASE === 'orders') api.child.kill('SIGWINCH');
      const ceiling = report.rawCeiling?.tps;
      report.postOrders = {
        ...summary(orders),
        ratioToRawCeiling: ceiling ? Math.round((100 * orders.requests.average) / ceiling) / 100 : null,
        apiRssPeakMiB: rss.peak('orders', 'api'),
        workerRssPeakMiB: rss.peak('orders', 'worker'),
        vmstat: vmstat.averages('orders'),
        cpu: cpuOf(orders.requests.total),
      };
    }

    if (PHASES.has('items')) {
      phase('items');
      console.log(`GET /v1/items: c=${CONNECTIONS}, ${READ_DURATION}s`);
      if (PROFILE && PROFILE_PHASE === 'items') api.child.kill('SIGWINCH');
      const reads = await run({
        url: `${base}/v1/items?page=1&limit=20`,
        connections: CONNECTIONS,
        duration: READ_DURATION,
      });
      if (PROFILE && PROFILE_PHASE === 'items') api.child.kill('SIGWINCH');
      report.getItems = {
        ...summary(reads),
        apiRssPeakMiB: rss.peak('items', 'api'),
        workerRssPeakMiB: rss.peak('items', 'worker'),
        vmstat: vmstat.averages('items'),
        cpu: cpuOf(reads.requests.total),
      };
    }

    if (PHASES.has('e2e')) {
      // Let the worker drain what the POST phase queued, so the end-to-end phase measures its own orders.
      phase('drain');
      const drainDeadline = Date.now() + 60_000;
      while (Date.now() < drainDeadline) {
        const [{ unsent }] = await sql(
          dbUrl.toString(),
          `SELECT count(*)::int AS unsent FROM outbox WHERE sent_at IS NULL`,
        );
        if (unsent === 0) break;
        await sleep(250);
      }
      const [{ maxId }] = await sql(
        dbUrl.toString(),
        `SELECT coalesce(max(id), 0)::bigint AS "maxId" FROM outbox`,
      );
      phase('e2e');
      console.log(`end to end: ${E2E_ORDERS} orders placed and paid, c=${CONNECTIONS}, until PROCESSED`);
      const e2e = await endToEnd({ base, dbUrl: dbUrl.toString(), tokens, bodies, secret });
      report.endToEnd = {
        ...e2e,
        apiRssPeakMiB: rss.peak('e2e', 'api'),
        workerRssPeakMiB: rss.peak('e2e', 'worker'),
        vmstat: vmstat.averages('e2e'),
        cpu: cpuOf(e2e.processed),
      };
      report.outboxLag = await outboxLag({
        dbUrl: dbUrl.toString(),
        redisUrl: REDIS_URL,
        keyPrefix: prefix,
        afterId: maxId,
      });
    }

    const [counts] = await sql(
      dbUrl.toString(),
      `SELECT count(*) AS orders, (SELECT sum(1000000 - stock) FROM items WHERE sku LIKE 'BENCH-%') AS taken FROM orders`,
    );
    report.consistency = {
      orders: Number(counts.orders),
      stockTaken: Number(counts.taken),
      consistent: Number(counts.orders) === Number(counts.taken),
    };
    report.rssPeakMiB = {
      api: Math.max(...['orders', 'items', 'e2e'].map((p) => rss.peak(p, 'api'))),
      worker: Math.max(...['orders', 'items', 'e2e'].map((p) => rss.peak(p, 'worker'))),
    };
  } finally {
    rss.stop();
    vmstat.stop();
    for (const p of [api, processes.worker, stripe]) p?.child.kill('SIGTERM');
    await sleep(1500);
    for (const p of [api, processes.worker, stripe]) p?.child.kill('SIGKILL');
    await sql(ADMIN_DB, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
    const redis = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  }

  if (PROFILE && fs.existsSync(profileFile)) {
    report.apiCpuProfile = {
      file: path.relative(ROOT, profileFile),
      phase: 'POST /v1/orders',
      ...summariseProfile(JSON.parse(fs.readFileSync(profileFile, 'utf8')), 25),
    };
  }
  report.targets = evaluateTargets(report);
  report.benchSeconds = Math.round((Date.now() - started) / 1000);

  const file = path.join(resultsDir, `${stamp}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  const row = (r, unit) =>
    r && {
      throughput: `${r.requestsPerSec} ${unit}`,
      'p50 ms': r.latencyMs.p50,
      'p99 ms': r.latencyMs.p99,
      errors: r.non2xx + r.errors + r.timeouts,
      'api RSS MiB': r.apiRssPeakMiB,
      'worker RSS MiB': r.workerRssPeakMiB,
    };
  const table = {};
  if (report.rawCeiling?.tps)
    table['raw ceiling (pgbench)'] = {
      throughput: `${report.rawCeiling.tps} tx/s`,
      'p50 ms': report.rawCeiling.latencyMs.p50,
      'p99 ms': report.rawCeiling.latencyMs.p99,
      errors: report.rawCeiling.failed,
    };
  if (report.postOrders)
    table['POST /v1/orders'] = {
      ...row(report.postOrders, 'req/s'),
      'vs ceiling': report.postOrders.ratioToRawCeiling,
    };
  if (report.getItems) table['GET /v1/items'] = row(report.getItems, 'req/s');
  if (report.endToEnd)
    table['end to end → PROCESSED'] = {
      throughput: `${report.endToEnd.ordersPerSec} orders/s`,
      errors: report.endToEnd.errors.post + report.endToEnd.errors.webhook + report.endToEnd.notProcessed,
      'api RSS MiB': report.endToEnd.apiRssPeakMiB,
      'worker RSS MiB': report.endToEnd.workerRssPeakMiB,
    };
  if (report.outboxLag)
    table['outbox lag → active'] = {
      throughput: `${report.outboxLag.orderProcessCommitToActiveMs.count} jobs`,
      'p50 ms': report.outboxLag.orderProcessCommitToActiveMs.p50,
      'p99 ms': report.outboxLag.orderProcessCommitToActiveMs.p99,
    };
  console.table(table);
  console.table(
    report.targets.map((t) => ({ target: t.name, want: t.target, measured: t.measured, met: t.met })),
  );
  for (const [label, part] of [
    ['POST /v1/orders', report.postOrders],
    ['end to end', report.endToEnd],
  ]) {
    if (part?.cpu)
      console.log(
        `CPU ms per order, ${label}: ${Object.entries(part.cpu.perUnitMs)
          .map(([g, v]) => `${g} ${v}`)
          .join(', ')}`,
      );
  }
  console.log(
    `orders created: ${report.consistency?.orders}, stock taken: ${report.consistency?.stockTaken}`,
  );
  console.log(`report: ${path.relative(ROOT, file)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
