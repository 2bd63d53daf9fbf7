#!/usr/bin/env node
/**
 * `npm run bench`: measures Dispatch on this machine and writes bench/results/<date>.json.
 *
 * Starts the fake Stripe as its own process (Stripe is remote in production, so it should not share the
 * app's event loop) and `node dist/all.js` (api + worker) on a fresh database, seeds users and stock, then
 * drives the HTTP API with autocannon:
 *   - POST /v1/orders  (unique Idempotency-Key per request, users rotated), c=BENCH_CONNECTIONS, BENCH_DURATION s
 *   - GET  /v1/items   (cached), same connections, BENCH_READ_DURATION s
 * and samples the api process RSS while under load.
 */
const { spawn } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const autocannon = require('autocannon');
const Redis = require('ioredis');
const { Client } = require('pg');

const ROOT = path.resolve(__dirname, '..');
const env = process.env;
const ADMIN_DB = env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
const CONNECTIONS = Number(env.BENCH_CONNECTIONS || 32);
const DURATION = Number(env.BENCH_DURATION || 30);
const READ_DURATION = Number(env.BENCH_READ_DURATION || 10);
const USERS = Number(env.BENCH_USERS || 32);
// Orders spread over this many items (one hot item serialises every order on its row lock).
const ITEMS = Number(env.BENCH_ITEMS || 100);

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function sql(url, text, params = []) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

function start(entry, extraEnv, name) {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', entry)], {
    cwd: ROOT,
    env: { PATH: env.PATH, ENV_FILE: '/nonexistent', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  child.on('exit', (code, signal) => {
    if (code && code !== 0) console.error(`${name} exited with ${code ?? signal}:\n${output.slice(-4000)}`);
  });
  return { child, output: () => output };
}

async function waitReady(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not ready: ${url}`);
}

function rssOf(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) * 1024;
  } catch {
    return 0;
  }
}

function run(options) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
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

async function main() {
  const db = `dispatch_bench_${Date.now()}`;
  const dbUrl = new URL(ADMIN_DB);
  dbUrl.pathname = `/${db}`;
  const prefix = `bench:${Date.now()}:`;
  await sql(ADMIN_DB, `CREATE DATABASE ${db}`);
  const [appPort, stripePort] = [await freePort(), await freePort()];
  const secret = 'whsec_bench';
  const base = `http://127.0.0.1:${appPort}`;
  const stripe = start('modules/payments/stripe/fake/fake-stripe.main.js', {
    FAKE_STRIPE_PORT: String(stripePort),
    FAKE_STRIPE_WEBHOOK_URL: `${base}/v1/payments/webhook`,
    FAKE_STRIPE_WEBHOOK_SECRET: secret,
  }, 'fake stripe');
  const app = start('all.js', {
    NODE_ENV: 'production' === env.BENCH_NODE_ENV ? 'production' : 'development',
    HOST: '127.0.0.1',
    PORT: String(appPort),
    LOG_LEVEL: env.BENCH_LOG_LEVEL || 'warn',
    LOG_PRETTY: 'false',
    DATABASE_URL: dbUrl.toString(),
    DATABASE_POOL_SIZE: env.BENCH_POOL_SIZE || '20',
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    JWT_SECRET: 'bench-secret-0123456789-abcdefghijklmnop',
    STRIPE_MODE: 'mock',
    STRIPE_API_URL: `http://127.0.0.1:${stripePort}`,
    STRIPE_SECRET_KEY: 'sk_test_bench',
    STRIPE_WEBHOOK_SECRET: secret,
    RATE_LIMIT_MAX: '10000000',
    AUTH_RATE_LIMIT_MAX: '10000000',
  }, 'dispatch');
  const report = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    settings: { connections: CONNECTIONS, durationSeconds: DURATION, readDurationSeconds: READ_DURATION, users: USERS, items: ITEMS },
  };
  try {
    await waitReady(`${base}/v1/health/ready`);

    // Seed: users (through the API, so passwords are hashed as in production) and one item with ample stock.
    const tokens = [];
    for (let i = 0; i < USERS; i++) {
      const user = { email: `bench-${i}@example.com`, password: 'bench-password-123', name: `Bench ${i}` };
      await fetch(`${base}/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) });
      const login = await fetch(`${base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password: user.password }) });
      const loginBody = await login.json();
      if (!loginBody.accessToken) throw new Error(`seeding user ${i} failed: ${JSON.stringify(loginBody)}`);
      tokens.push(loginBody.accessToken);
    }
    const items = await sql(
      dbUrl.toString(),
      `INSERT INTO items (sku, name, price_cents, currency, stock)
       SELECT 'BENCH-' || g, 'Bench item ' || g, 1999, 'EUR', 1000000 FROM generate_series(1, $1) g RETURNING id`,
      [ITEMS],
    );
    const bodies = items.map((item) =>
      JSON.stringify({
        items: [{ itemId: item.id, quantity: 1 }],
        shippingAddress: { name: 'Bench', line1: 'Street 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
      }),
    );

    let rssPeak = 0;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssOf(app.child.pid))), 250);
    let n = 0;
    console.log(`POST /v1/orders: c=${CONNECTIONS}, ${DURATION}s`);
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
    report.postOrders = { ...summary(orders), apiRssPeakMiB: Math.round(rssPeak / 2 ** 20) };

    rssPeak = 0;
    console.log(`GET /v1/items: c=${CONNECTIONS}, ${READ_DURATION}s`);
    const reads = await run({ url: `${base}/v1/items?page=1&limit=20`, connections: CONNECTIONS, duration: READ_DURATION });
    report.getItems = { ...summary(reads), apiRssPeakMiB: Math.round(rssPeak / 2 ** 20) };
    clearInterval(sampler);

    const [counts] = await sql(
      dbUrl.toString(),
      `SELECT count(*) AS orders, (SELECT sum(1000000 - stock) FROM items WHERE sku LIKE 'BENCH-%') AS taken FROM orders`,
    );
    report.consistency = { orders: Number(counts.orders), stockTaken: Number(counts.taken) };
  } finally {
    app.child.kill('SIGTERM');
    stripe.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    app.child.kill('SIGKILL');
    stripe.child.kill('SIGKILL');
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

  const file = path.join(__dirname, 'results', `${report.date.slice(0, 19).replace(/:/g, '-')}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.table({
    'POST /v1/orders': { 'req/s': report.postOrders.requestsPerSec, 'p50 ms': report.postOrders.latencyMs.p50, 'p99 ms': report.postOrders.latencyMs.p99, non2xx: report.postOrders.non2xx, errors: report.postOrders.errors, 'RSS MiB': report.postOrders.apiRssPeakMiB },
    'GET /v1/items': { 'req/s': report.getItems.requestsPerSec, 'p50 ms': report.getItems.latencyMs.p50, 'p99 ms': report.getItems.latencyMs.p99, non2xx: report.getItems.non2xx, errors: report.getItems.errors, 'RSS MiB': report.getItems.apiRssPeakMiB },
  });
  console.log(`orders created: ${report.consistency.orders}, stock taken: ${report.consistency.stockTaken}`);
  console.log(`report: ${path.relative(ROOT, file)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
