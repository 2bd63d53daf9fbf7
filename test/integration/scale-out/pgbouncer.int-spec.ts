import { randomUUID } from 'node:crypto';

import { Client } from 'pg';
import { DataSource } from 'typeorm';

import { MIGRATIONS } from '../../../src/infra/database/migrations';
import { runMigrationsLocked } from '../../../src/infra/database/migration-runner';
import { assertReadCommittedDefault } from '../../../src/infra/database/transaction-runner';
import { createItem, placeOrder, waitForStatus } from '../../factories/order.factory';
import { bearer, createUser, TestUser } from '../../factories/user.factory';
import { TestPgBouncer } from '../../setup/pgbouncer';
import { startTestApp, TestApp } from '../../setup/test-app';
import { adminDatabaseUrl, createEmptyDatabase, TestDatabase } from '../../setup/test-resources';
import { waitFor } from '../../setup/wait-for';

const POOL_SIZE = 3;

describe('scale-out: everything through PgBouncer in transaction mode', () => {
  let db: TestDatabase;
  let fresh: TestDatabase;
  let bouncer: TestPgBouncer;
  let t: TestApp;
  let customer: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    db = await TestDatabase.create();
    fresh = await createEmptyDatabase();
    // Three server connections for a pool of ten per app: client transactions take turns on them.
    bouncer = await TestPgBouncer.start({
      upstreamUrl: adminDatabaseUrl(),
      databases: [db.name, fresh.name],
      poolSize: POOL_SIZE,
    });
    t = await startTestApp(
      {
        DATABASE_URL: bouncer.url(db.name),
        DATABASE_LISTEN_URL: db.url,
        DATABASE_POOL_SIZE: '10',
        // The relay wakes on NOTIFY only: were its LISTEN not working, each batch would wait a minute.
        OUTBOX_POLL_MS: '60000',
      },
      { db },
    );
    customer = await createUser(t);
    admin = await createUser(t, { role: 'admin' });
  });
  afterAll(async () => {
    await t?.close();
    await bouncer?.stop();
    await fresh?.drop();
  });

  it('places, pays (webhook), processes, refunds (admin) and exports orders through the pooler', async () => {
    const itemId = await createItem(t, { stock: 10, priceCents: 2500 });
    const placed = await placeOrder(t, customer, [{ itemId, quantity: 2 }]).expect(201);
    const orderId = placed.body.id as string;
    await t.fakeStripe.succeedPayment(placed.body.paymentIntentId);
    await waitForStatus(t, orderId, 'PROCESSED');

    const refund = await t
      .http()
      .patch(`/v1/orders/${orderId}/refund`)
      .set(bearer(admin))
      .set('Idempotency-Key', randomUUID())
      .send({ reason: 'customer changed their mind' })
      .expect(202);
    expect(refund.body).toMatchObject({ orderId, amountCents: 5000 });
    await waitForStatus(t, orderId, 'REFUNDED');
    expect(t.fakeStripe.refundsFor(placed.body.paymentIntentId)).toEqual([
      expect.objectContaining({ amount: 5000, status: 'succeeded' }),
    ]);
    await waitFor(
      async () => {
        const events = await db.query<{ type: string }>(
          `SELECT type FROM webhook_events WHERE order_id = $1 ORDER BY received_at`,
          [orderId],
        );
        const types = events.map((e) => e.type);
        return types.includes('payment_intent.succeeded') && types.includes('charge.refunded')
          ? types
          : undefined;
      },
      { what: 'the payment and refund webhooks recorded' },
    );
    const history = await t.http().get(`/v1/orders/${orderId}/history`).set(bearer(customer)).expect(200);
    expect(history.body.map((h: { toStatus: string }) => h.toStatus)).toEqual([
      'PENDING',
      'PAID',
      'PROCESSED',
      'REFUNDED',
    ]);

    // A CSV export streams from a server-side cursor: it holds its server connection until it has read all.
    const requested = await t.http().post('/v1/exports/orders').set(bearer(admin)).send({}).expect(202);
    const done = await waitFor(
      async () => {
        const res = await t
          .http()
          .get(`/v1/exports/${requested.body.exportId}`)
          .set(bearer(admin))
          .expect(200);
        return res.body.status === 'completed' ? res.body : undefined;
      },
      { what: 'the export to complete' },
    );
    expect(done).toMatchObject({ totalRows: 1, error: null });

    // It really went through PgBouncer, in transaction mode, sharing at most three server connections.
    const [pool] = await bouncer
      .admin<{ database: string; pool_mode: string }>('SHOW POOLS')
      .then((rows) => rows.filter((r) => r.database === db.name));
    expect(pool.pool_mode).toBe('transaction');
    const servers = (await bouncer.admin<{ database: string }>('SHOW SERVERS')).filter(
      (s) => s.database === db.name,
    );
    expect(servers.length).toBeLessThanOrEqual(POOL_SIZE);
    const [stats] = (
      await bouncer.admin<{ database: string; total_xact_count: string }>('SHOW STATS')
    ).filter((s) => s.database === db.name);
    expect(Number(stats.total_xact_count)).toBeGreaterThan(50);
    const clients = (await bouncer.admin<{ database: string }>('SHOW CLIENTS')).filter(
      (c) => c.database === db.name,
    );
    expect(clients.length).toBeGreaterThan(servers.length);

    // The relay's LISTEN is a direct session of its own, not a pooled one.
    const listeners = await db.query<{ query: string }>(
      `SELECT query FROM pg_stat_activity WHERE datname = $1 AND application_name = 'dispatch-outbox-listener'`,
      [db.name],
    );
    expect(listeners).toEqual([{ query: `LISTEN outbox_inserted` }]);
  });

  it('leaves no named prepared statement on any pooled server connection', async () => {
    // As many concurrent transactions as server connections: each one holds a different server connection.
    const clients = await Promise.all(
      Array.from({ length: POOL_SIZE }, async () => {
        const client = new Client({ connectionString: bouncer.url(db.name) });
        await client.connect();
        await client.query('BEGIN');
        return client;
      }),
    );
    try {
      const seen = await Promise.all(
        clients.map(async (client) => {
          const { rows } = await client.query<{ pid: number; named: number }>(
            `SELECT pg_backend_pid() AS pid, (SELECT count(*)::int FROM pg_prepared_statements) AS named`,
          );
          return rows[0];
        }),
      );
      expect(new Set(seen.map((s) => s.pid)).size).toBe(POOL_SIZE);
      expect(seen.map((s) => s.named)).toEqual(Array(POOL_SIZE).fill(0));
    } finally {
      await Promise.all(clients.map((c) => c.query('COMMIT').then(() => c.end())));
    }
  });

  it('migrates a fresh database through the pooler, twice at once, and leaves no advisory lock behind', async () => {
    const sources = [1, 2].map(
      () =>
        new DataSource({
          type: 'postgres',
          url: bouncer.url(fresh.name),
          migrations: MIGRATIONS,
          migrationsTableName: 'migrations',
          extra: { max: 2 },
        }),
    );
    await Promise.all(sources.map((s) => s.initialize()));
    try {
      const applied = await Promise.all(sources.map((s) => runMigrationsLocked(s)));
      expect(applied.flat().sort()).toEqual(MIGRATIONS.map((m) => m.name).sort());
    } finally {
      await Promise.all(sources.map((s) => s.destroy()));
    }
    expect(await fresh.query(`SELECT name FROM migrations`)).toHaveLength(MIGRATIONS.length);
    expect(
      await fresh.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = (
        SELECT oid FROM pg_database WHERE datname = current_database())`),
    ).toEqual([]);
  });

  // Bare BEGINs are READ COMMITTED only by the server's default now that no per-connection option pins it.
  it('refuses a database whose default isolation is not READ COMMITTED (checked at boot)', async () => {
    const odd = await TestDatabase.create();
    try {
      await odd.query(`ALTER DATABASE ${odd.name} SET default_transaction_isolation = 'serializable'`);
      const source = await new DataSource({ type: 'postgres', url: odd.url }).initialize();
      try {
        await expect(assertReadCommittedDefault(source)).rejects.toThrow(
          /default_transaction_isolation is 'serializable', Dispatch needs 'read committed'/,
        );
      } finally {
        await source.destroy();
      }
    } finally {
      await odd.drop();
    }
  });
});
