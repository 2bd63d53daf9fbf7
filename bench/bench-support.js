/**
 * Helpers shared by the bench scripts (run-bench.js, redis-memory.js): processes from the compiled app, free
 * ports, one-off SQL, keep-alive HTTP, Stripe-signed webhooks, seeding through the API.
 */
const { spawn } = require('node:child_process');
const { Buffer } = require('node:buffer');
const { createHmac, randomUUID } = require('node:crypto');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');

const { Client } = require('pg');

const ROOT = path.resolve(__dirname, '..');
const env = process.env;
// The compiled app to run (default dist/, which the npm scripts build); another build keeps others' rebuilds out.
const DIST = path.resolve(ROOT, env.BENCH_DIST || 'dist');

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

function start(entry, extraEnv, name, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, path.join(DIST, entry)], {
    cwd: ROOT,
    env: { PATH: env.PATH, ENV_FILE: '/nonexistent', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output = (output + c).slice(-20_000)));
  child.stderr.on('data', (c) => (output = (output + c).slice(-20_000)));
  child.on('exit', (code, signal) => {
    if ((code && code !== 0) || (signal && signal !== 'SIGTERM' && signal !== 'SIGKILL')) {
      console.error(`${name} exited with ${code ?? signal}:\n${output.slice(-4000)}`);
    }
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
    await sleep(200);
  }
  throw new Error(`not ready: ${url}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function httpClient(base, connections) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const { hostname, port } = new URL(base);
  return (method, urlPath, headers, body) =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent,
          hostname,
          port,
          method,
          path: urlPath,
          headers: { ...headers, 'content-length': Buffer.byteLength(body ?? '') },
        },
        (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (data += c));
          res.on('end', () => resolve({ status: res.statusCode, body: data }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

/** A Stripe event signed the way Stripe (and our fake Stripe) signs webhook deliveries. */
function signedSucceeded(secret, paymentIntentId, orderId, amount, currency) {
  const created = Math.floor(Date.now() / 1000);
  const payload = JSON.stringify({
    id: `evt_bench_${randomUUID().replace(/-/g, '')}`,
    object: 'event',
    api_version: '2024-06-20',
    created,
    data: {
      object: {
        id: paymentIntentId,
        object: 'payment_intent',
        amount,
        currency: currency.toLowerCase(),
        status: 'succeeded',
        metadata: { orderId },
      },
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'payment_intent.succeeded',
  });
  const signature = createHmac('sha256', secret).update(`${created}.${payload}`).digest('hex');
  return { payload, header: `t=${created},v1=${signature}` };
}

/** The environment of an api or worker of the bench: fake Stripe at `stripePort`, every limit out of the way. */
function appEnv({
  port,
  dbUrl,
  redisUrl,
  prefix,
  stripePort,
  secret,
  smtpPort,
  erpPort,
  metricsPort,
  poolSize,
}) {
  return {
    NODE_ENV: 'production' === env.BENCH_NODE_ENV ? 'production' : 'development',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: env.BENCH_LOG_LEVEL || 'warn',
    LOG_PRETTY: 'false',
    DATABASE_URL: dbUrl,
    DATABASE_POOL_SIZE: poolSize,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    JWT_SECRET: 'bench-secret-0123456789-abcdefghijklmnop',
    STRIPE_MODE: 'mock',
    STRIPE_API_URL: `http://127.0.0.1:${stripePort}`,
    STRIPE_SECRET_KEY: 'sk_test_bench',
    STRIPE_WEBHOOK_SECRET: secret,
    RATE_LIMIT_MAX: '10000000',
    AUTH_RATE_LIMIT_MAX: '10000000',
    // The api serves the SMTP capture and the worker sends to it; fake ERP and worker metrics on free ports.
    SMTP_CAPTURE: 'true',
    SMTP_PORT: String(smtpPort),
    FAKE_ERP_PORT: String(erpPort),
    METRICS_PORT: String(metricsPort),
    QUEUE_MAX_WAITING: '10000000',
  };
}

/** The standalone fake Stripe, delivering signed webhooks to the api at `base`. */
function startFakeStripe(stripePort, base, secret) {
  return start(
    'dev/fakes/stripe/fake-stripe.main.js',
    {
      FAKE_STRIPE_PORT: String(stripePort),
      FAKE_STRIPE_WEBHOOK_URL: `${base}/v1/payments/webhook`,
      FAKE_STRIPE_WEBHOOK_SECRET: secret,
    },
    'fake stripe',
  );
}

/** `count` customers registered and signed in through the API (passwords hashed as in production). */
async function seedUsers(base, count) {
  const tokens = [];
  for (let i = 0; i < count; i++) {
    const user = { email: `bench-${i}@example.com`, password: 'bench-password-123', name: `Bench ${i}` };
    await fetch(`${base}/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(user),
    });
    const login = await fetch(`${base}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    const loginBody = await login.json();
    if (!loginBody.accessToken) throw new Error(`seeding user ${i} failed: ${JSON.stringify(loginBody)}`);
    tokens.push(loginBody.accessToken);
  }
  return tokens;
}

/** `count` items with ample stock (orders spread over them), and one POST /v1/orders body per item. */
async function seedItems(dbUrl, count) {
  const items = await sql(
    dbUrl,
    `INSERT INTO items (sku, name, price_cents, currency, stock)
     SELECT 'BENCH-' || g, 'Bench item ' || g, 1999, 'EUR', 1000000 FROM generate_series(1, $1) g RETURNING id`,
    [count],
  );
  return items.map((item) =>
    JSON.stringify({
      items: [{ itemId: item.id, quantity: 1 }],
      shippingAddress: {
        name: 'Bench',
        line1: 'Street 1',
        city: 'Berlin',
        postalCode: '10115',
        country: 'DE',
      },
    }),
  );
}

module.exports = {
  ROOT,
  DIST,
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
};
