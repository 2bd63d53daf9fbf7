import { DataSource } from 'typeorm';

import { AppConfig } from '../../../src/config/app-config';
import { dataSourceOptions } from '../../../src/infra/database/database.module';
import { MIGRATIONS } from '../../../src/infra/database/migrations';
import { runMigrationsLocked } from '../../../src/infra/database/migration-runner';
import { TransactionRunner } from '../../../src/infra/database/transaction-runner';
import { LockBusyError, LockService } from '../../../src/infra/redis/lock.service';
import { LockKey } from '../../../src/infra/redis/lock-keys';
import { SeedService } from '../../../src/dev/seed/seed.service';
import { startTestApp, TestApp } from '../../setup/test-app';
import { TestDatabase } from '../../setup/test-resources';

describe('database and lock infrastructure', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      SEED_TEST_DATA: 'true',
      SEED_ADMIN_EMAIL: 'seed-admin@example.com',
      SEED_ADMIN_PASSWORD: 'seed-admin-password',
    });
  });
  afterAll(() => t.close());

  describe(TransactionRunner.name, () => {
    it('commits everything the callback wrote', async () => {
      const sut = t.app.get(TransactionRunner);
      await sut.run(async (em) => {
        await em.query(
          `INSERT INTO items (sku, name, price_cents, currency, stock) VALUES ('TX-OK', 'ok', 1, 'EUR', 1)`,
        );
      });
      expect(await t.db.query(`SELECT 1 FROM items WHERE sku = 'TX-OK'`)).toHaveLength(1);
    });

    it('rolls back every write when the callback throws', async () => {
      const sut = t.app.get(TransactionRunner);
      await expect(
        sut.run(async (em) => {
          await em.query(
            `INSERT INTO items (sku, name, price_cents, currency, stock) VALUES ('TX-A', 'a', 1, 'EUR', 1)`,
          );
          await em.query(
            `INSERT INTO items (sku, name, price_cents, currency, stock) VALUES ('TX-B', 'b', 1, 'EUR', 1)`,
          );
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await t.db.query(`SELECT 1 FROM items WHERE sku IN ('TX-A', 'TX-B')`)).toHaveLength(0);
    });

    it('rolls back when the database refuses a write (CHECK stock >= 0)', async () => {
      const sut = t.app.get(TransactionRunner);
      await expect(
        sut.run(async (em) => {
          await em.query(
            `INSERT INTO items (sku, name, price_cents, currency, stock) VALUES ('TX-C', 'c', 1, 'EUR', 1)`,
          );
          await em.query(`UPDATE items SET stock = stock - 5 WHERE sku = 'TX-C'`);
        }),
      ).rejects.toThrow(/check constraint/);
      expect(await t.db.query(`SELECT 1 FROM items WHERE sku = 'TX-C'`)).toHaveLength(0);
    });
  });

  describe(LockService.name, () => {
    it('serialises two holders of the same lock and lets different keys run in parallel', async () => {
      const sut = t.app.get(LockService);
      const events: string[] = [];
      const hold = (name: string, key: string) =>
        sut.withLock(key, { ttlMs: 2000, waitMs: 2000 }, async () => {
          events.push(`${name}:start`);
          await new Promise((resolve) => setTimeout(resolve, 150));
          events.push(`${name}:end`);
        });
      await Promise.all([hold('a', LockKey.order('o1')), hold('b', LockKey.order('o1'))]);
      expect(events).toEqual([
        expect.stringMatching(/:start$/),
        expect.stringMatching(/:end$/),
        expect.stringMatching(/:start$/),
        expect.stringMatching(/:end$/),
      ]);
      expect(events[0].split(':')[0]).toBe(events[1].split(':')[0]);

      events.length = 0;
      await Promise.all([hold('c', LockKey.order('o2')), hold('d', LockKey.order('o3'))]);
      expect(events.slice(0, 2).every((e) => e.endsWith(':start'))).toBe(true);
    });

    it('gives up with LockBusyError when the lock stays taken', async () => {
      const sut = t.app.get(LockService);
      let release!: () => void;
      const held = sut.withLock(
        'lock:test:busy',
        { ttlMs: 2000 },
        () => new Promise<void>((resolve) => (release = resolve)),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      await expect(
        sut.withLock('lock:test:busy', { ttlMs: 1000, waitMs: 100 }, async () => 'never'),
      ).rejects.toBeInstanceOf(LockBusyError);
      release();
      await held;
      await expect(sut.withLock('lock:test:busy', { ttlMs: 1000 }, async () => 'free again')).resolves.toBe(
        'free again',
      );
    });

    it('keeps its keys under the configured Redis prefix', async () => {
      const sut = t.app.get(LockService);
      await sut.withLock('lock:test:prefixed', { ttlMs: 2000 }, async () => {
        expect(await t.redis.redis.exists('lock:test:prefixed')).toBe(1);
      });
    });
  });

  describe('migrations', () => {
    it('run once under concurrency: two processes migrating a fresh database both succeed', async () => {
      const admin = await TestDatabase.create();
      await admin.query(`DROP SCHEMA public CASCADE; CREATE SCHEMA public;`);
      const config = { ...t.config, db: { ...t.config.db, url: admin.url } } as AppConfig;
      const sources = await Promise.all(
        [1, 2].map(() => new DataSource(dataSourceOptions(config)).initialize()),
      );
      try {
        const applied = await Promise.all(sources.map((ds) => runMigrationsLocked(ds)));
        expect(applied.flat()).toEqual(MIGRATIONS.map((m) => m.name));
        const tables = await admin.query<{ tablename: string }>(
          `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`,
        );
        expect(tables.map((r) => r.tablename)).toEqual(
          expect.arrayContaining([
            'auth_sessions',
            'items',
            'migrations',
            'refresh_tokens',
            'users',
            'orders',
            'outbox',
          ]),
        );
      } finally {
        await Promise.all(sources.map((ds) => ds.destroy()));
        await admin.drop();
      }
    });

    it('enforce the schema invariants (stock >= 0, integer cents, unique live sku, lowercase email)', async () => {
      await expect(
        t.db.query(
          `INSERT INTO items (sku, name, price_cents, currency, stock) VALUES ('N', 'n', 1, 'EUR', -1)`,
        ),
      ).rejects.toThrow(/check/);
      await expect(
        t.db.query(
          `INSERT INTO items (sku, name, price_cents, currency, stock) VALUES ('N', 'n', -1, 'EUR', 1)`,
        ),
      ).rejects.toThrow(/check/);
      await expect(
        t.db.query(
          `INSERT INTO items (sku, name, price_cents, currency, stock) VALUES ('N', 'n', 1, 'eur', 1)`,
        ),
      ).rejects.toThrow(/check/);
      await t.db.query(
        `INSERT INTO items (sku, name, price_cents, currency, stock) VALUES ('UNIQ', 'n', 1, 'EUR', 1)`,
      );
      await expect(
        t.db.query(
          `INSERT INTO items (sku, name, price_cents, currency, stock) VALUES ('UNIQ', 'n', 1, 'EUR', 1)`,
        ),
      ).rejects.toThrow(/unique/);
      await expect(
        t.db.query(`INSERT INTO users (email, name, password_hash) VALUES ('UP@X.CO', 'n', 'h')`),
      ).rejects.toThrow(/check/);
    });
  });

  describe('seed', () => {
    it('created the demo admin and catalog at boot', async () => {
      const admins = await t.db.query(`SELECT role FROM users WHERE email = 'seed-admin@example.com'`);
      expect(admins).toEqual([{ role: 'admin' }]);
      const login = await t
        .http()
        .post('/v1/auth/login')
        .send({ email: 'seed-admin@example.com', password: 'seed-admin-password' })
        .expect(200);
      await t
        .http()
        .post('/v1/items')
        .set('Authorization', `Bearer ${login.body.accessToken}`)
        .send({ sku: 'BY-SEEDED-ADMIN', name: 'x', priceCents: 1, currency: 'EUR', stock: 1 })
        .expect(201);
      expect(
        Number(
          (await t.db.query<{ n: string }>(`SELECT count(*) n FROM items WHERE sku LIKE 'DEMO-%'`))[0].n,
        ),
      ).toBe(5);
    });

    it('is idempotent: running again creates nothing and changes nothing', async () => {
      await t.db.query(`UPDATE items SET stock = 3 WHERE sku = 'DEMO-MUG'`);
      const again = await t.app.get(SeedService).seed();
      expect(again).toEqual({ adminCreated: false, itemsCreated: 0 });
      expect(await t.db.query(`SELECT stock FROM items WHERE sku = 'DEMO-MUG'`)).toEqual([{ stock: 3 }]);
      expect(await t.db.query(`SELECT 1 FROM users WHERE email = 'seed-admin@example.com'`)).toHaveLength(1);
    });
  });
});
