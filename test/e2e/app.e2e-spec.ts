import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { MIGRATIONS } from '../../src/infra/database/migrations';
import { AppProcess, freePort } from '../setup/app-process';
import { createEmptyDatabase, TestDatabase, TestRedis } from '../setup/test-resources';

const ADMIN = { email: 'e2e-admin@example.com', password: 'e2e-admin-password' };

async function call(
  base: string,
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text,
  };
}

describe('the built app (node dist/main.js) end to end', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let app: AppProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    // An empty database: the app must migrate it on start.
    db = await createEmptyDatabase();
    redis = new TestRedis();
    env = {
      NODE_ENV: 'test',
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      JWT_SECRET: 'e2e-secret-0123456789-abcdefghijklmnop',
      LOG_LEVEL: 'info',
      LOG_PRETTY: 'false',
      SEED_TEST_DATA: 'true',
      SEED_ADMIN_EMAIL: ADMIN.email,
      SEED_ADMIN_PASSWORD: ADMIN.password,
      // This api serves the fakes on these ports (development tooling); every other process uses them.
      DEV_SERVE_FAKES: 'true',
      FAKE_STRIPE_PORT: String(await freePort()),
      FAKE_ERP_PORT: String(await freePort()),
      SMTP_PORT: String(await freePort()),
      SMTP_CAPTURE_API_URL: `http://127.0.0.1:${await freePort()}`,
    };
    app = AppProcess.start('main.js', env);
    await app.waitUntilReady();
  });

  afterAll(async () => {
    await app?.stop();
    await db?.drop();
    await redis?.cleanup();
  });

  it('migrated the empty database on start and seeded the demo data', async () => {
    const migrations = await db.query<{ name: string }>(`SELECT name FROM migrations`);
    expect(migrations.map((m) => m.name)).toEqual(MIGRATIONS.map((Migration) => new Migration().name));
    const items = await call(app.baseUrl, 'GET', '/v1/items?limit=100');
    expect(items.body.data.map((i: { sku: string }) => i.sku)).toEqual(
      expect.arrayContaining(['DEMO-MUG', 'DEMO-TSHIRT-M']),
    );
  });

  it('runs the customer and admin journey through HTTP', async () => {
    const base = app.baseUrl;
    const adminLogin = await call(base, 'POST', '/v1/auth/login', ADMIN);
    expect(adminLogin.status).toBe(200);
    const asAdmin = { Authorization: `Bearer ${adminLogin.body.accessToken}` };

    const item = await call(
      base,
      'POST',
      '/v1/items',
      { sku: 'E2E-1', name: 'E2E item', priceCents: 999, currency: 'EUR', stock: 3 },
      asAdmin,
    );
    expect(item.status).toBe(201);

    const registered = await call(base, 'POST', '/v1/auth/register', {
      email: 'e2e@example.com',
      password: 'e2e-customer-pass',
      name: 'E2E',
    });
    expect(registered).toMatchObject({ status: 201, body: { email: 'e2e@example.com', role: 'customer' } });
    const login = await call(base, 'POST', '/v1/auth/login', {
      email: 'e2e@example.com',
      password: 'e2e-customer-pass',
    });
    const asCustomer = { Authorization: `Bearer ${login.body.accessToken}` };

    expect((await call(base, 'GET', `/v1/items/${item.body.id}`)).body).toMatchObject({
      sku: 'E2E-1',
      stock: 3,
    });
    expect(
      (
        await call(
          base,
          'POST',
          '/v1/items',
          { sku: 'NOPE', name: 'n', priceCents: 1, currency: 'EUR', stock: 1 },
          asCustomer,
        )
      ).status,
    ).toBe(403);
    expect((await call(base, 'PATCH', '/v1/users/me', { name: 'Renamed' }, asCustomer)).body.name).toBe(
      'Renamed',
    );

    const refreshed = await call(base, 'POST', '/v1/auth/refresh', { refreshToken: login.body.refreshToken });
    expect(refreshed.status).toBe(200);
    const asRefreshed = { Authorization: `Bearer ${refreshed.body.accessToken}` };
    expect((await call(base, 'POST', '/v1/auth/logout', undefined, asRefreshed)).status).toBe(204);
    expect((await call(base, 'GET', '/v1/users/me', undefined, asRefreshed)).status).toBe(401);
  });

  it('serves /docs and the OpenAPI document', async () => {
    expect((await call(app.baseUrl, 'GET', '/docs')).status).toBe(200);
    const spec = await call(app.baseUrl, 'GET', '/docs/openapi.json');
    expect(spec.body.info.title).toBe('Dispatch API');
  });

  it('writes JSON logs carrying the request correlation id', async () => {
    const res = await call(app.baseUrl, 'POST', '/v1/auth/login', ADMIN, {
      'X-Correlation-Id': 'e2e-corr-123456',
    });
    expect(res.headers.get('x-correlation-id')).toBe('e2e-corr-123456');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const lines = app.logLines().filter((l) => l.correlationId === 'e2e-corr-123456');
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['login succeeded', 'request completed']));
  });

  it('serves the dev routes from every api process, whichever runs the fakes', async () => {
    // A second api that does not serve the fakes: it finds them where configuration says they are.
    const other = AppProcess.start('main.js', {
      ...env,
      PORT: String(await freePort()),
      SEED_TEST_DATA: 'false',
      DEV_SERVE_FAKES: 'false',
    });
    try {
      await other.waitUntilReady();
      const adminLogin = await call(other.baseUrl, 'POST', '/v1/auth/login', ADMIN);
      const asAdmin = { Authorization: `Bearer ${adminLogin.body.accessToken}` };
      const items = await call(other.baseUrl, 'GET', '/v1/items?limit=100');
      const mug = items.body.data.find((i: { sku: string }) => i.sku === 'DEMO-MUG');
      const placed = await call(
        other.baseUrl,
        'POST',
        '/v1/orders',
        {
          items: [{ itemId: mug.id, quantity: 1 }],
          shippingAddress: {
            name: 'E2E',
            line1: 'Street 1',
            city: 'Porto',
            postalCode: '4000',
            country: 'PT',
          },
        },
        { ...asAdmin, 'Idempotency-Key': 'e2e-dev-routes-1' },
      );
      expect(placed.status).toBe(201);
      const pay = await call(
        other.baseUrl,
        'POST',
        `/v1/dev/orders/${placed.body.id}/pay`,
        undefined,
        asAdmin,
      );
      expect(pay).toMatchObject({ status: 202, body: { paymentIntentId: placed.body.paymentIntentId } });
      // The fake Stripe delivered the signed webhook to the api that serves it: the order is paid.
      const deadline = Date.now() + 15_000;
      let status = '';
      while (Date.now() < deadline && status !== 'PAID') {
        status = (await call(other.baseUrl, 'GET', `/v1/orders/${placed.body.id}`, undefined, asAdmin)).body
          .status;
        if (status !== 'PAID') await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toBe('PAID');
      // Paying it again is a conflict with a stable code, not a 500.
      const again = await call(
        other.baseUrl,
        'POST',
        `/v1/dev/orders/${placed.body.id}/pay`,
        undefined,
        asAdmin,
      );
      expect(again).toMatchObject({ status: 409, body: { code: 'PAYMENT_NOT_PAYABLE' } });
      const mailbox = await call(other.baseUrl, 'GET', '/v1/dev/mailbox', undefined, asAdmin);
      expect(mailbox.status).toBe(200);
      expect(Array.isArray(mailbox.body.data)).toBe(true);
    } finally {
      await other.stop();
    }
  });

  it('refuses to serve the fakes twice: a second server of them stops with the reason', async () => {
    const twin = AppProcess.start('main.js', {
      ...env,
      PORT: String(await freePort()),
      SEED_TEST_DATA: 'false',
    });
    expect(await twin.exited).toBe(1);
    expect(`${twin.stderr}${twin.stdout}`).toContain('DEV_SERVE_FAKES=false');
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const second = AppProcess.start('main.js', {
      ...env,
      PORT: String(await freePort()),
      SEED_TEST_DATA: 'false',
      DEV_SERVE_FAKES: 'false',
    });
    await second.waitUntilReady();
    const started = Date.now();
    // Nest closes every module (HTTP server, pools, Redis) and then re-raises the signal to exit.
    expect([0, 'SIGTERM']).toContain(await second.stop('SIGTERM'));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(second.stderr).not.toMatch(/Error/);
  });

  it('refuses to start on a bad environment and names every bad variable', async () => {
    const bad = AppProcess.start('main.js', { PORT: 'eighty', JWT_SECRET: 'short', REDIS_URL: redis.url });
    expect(await bad.exited).toBe(1);
    // One fatal log line (stdout, like every log line) lists them all.
    const output = `${bad.stderr}${bad.stdout}`;
    expect(output).toContain('DATABASE_URL is required');
    expect(output).toContain('JWT_SECRET must be at least 32 characters');
    expect(output).toMatch(/PORT /);
  });

  it('applies migrations with `node dist/migrate.js` (npm run migration:run) idempotently', async () => {
    const fresh = await createEmptyDatabase();
    try {
      const run = () =>
        spawnSync(process.execPath, [path.resolve(__dirname, '../../dist/migrate.js')], {
          env: {
            PATH: process.env.PATH ?? '',
            ENV_FILE: '/nonexistent',
            DATABASE_URL: fresh.url,
            REDIS_URL: redis.url,
            JWT_SECRET: env.JWT_SECRET,
          },
          encoding: 'utf8',
        });
      const first = run();
      expect(first.status).toBe(0);
      expect(first.stdout).toContain('Applied: Init1764000000000');
      const second = run();
      expect(second.stdout).toContain('No pending migrations');
    } finally {
      await fresh.drop();
    }
  });
});
