import { userInfo } from 'node:os';

import { getQueueToken } from '@nestjs/bullmq';
import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';

import { MIGRATIONS } from '../../../src/infra/database/migrations';
import { QueueName } from '../../../src/infra/queue/queue-names';
import { createItem, placeOrder, waitForStatus } from '../../factories/order.factory';
import { createUser } from '../../factories/user.factory';
import { freePort } from '../../setup/app-process';
import { runCli } from '../../setup/cli-process';
import { startTestApp, TestApp } from '../../setup/test-app';
import { createEmptyDatabase } from '../../setup/test-resources';
import { waitFor } from '../../setup/wait-for';

const OPERATOR = `cli:${userInfo().username}`;

interface AuditRow {
  actor: string;
  action: string;
  target: string;
  reason: string;
  details: Record<string, unknown>;
  correlation_id: string | null;
}

const auditOf = (t: TestApp, action: string) =>
  t.db.query<AuditRow>(
    `SELECT actor, action, target, reason, details, correlation_id FROM ops_audit WHERE action = $1 ORDER BY id`,
    [action],
  );

/** `dispatch` (node dist/cli.js) as a child process on each test app's own database and Redis prefix. */
describe('dispatch CLI: usage, accounts and migrations', () => {
  let t: TestApp;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp({}, { role: 'api' });
    env = t.childEnv();
  });
  afterAll(() => t.close());

  it('lists its commands with --help and refuses a bad command line with exit code 2', async () => {
    const help = await runCli(['--help'], env);
    expect(help.code).toBe(0);
    for (const command of ['admin:create', 'migrate', 'orders:show', 'jobs:retry', 'outbox:redispatch'])
      expect(help.stdout).toContain(command);

    expect((await runCli([], env)).code).toBe(2);
    const unknown = await runCli(['orders:delete', 'x'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'orders:delete'");
    const missing = await runCli(['admin:create', '--email', 'a@example.com'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--email and --name are required');
    expect((await runCli(['orders:show', '--bogus', 'x'], env)).code).toBe(2);
    expect((await runCli(['orders:show', 'not-a-uuid'], env)).code).toBe(2);
    expect((await runCli(['jobs:retry', 'no-such-queue', 'job-1'], env)).code).toBe(2);
    const commandHelp = await runCli(['jobs:retry', '--help'], env);
    expect(commandHelp.code).toBe(0);
    expect(commandHelp.stdout).toContain('Usage: dispatch jobs:retry <QUEUE> <JOB_ID>');
  });

  it('creates an admin from a password on stdin, who can then sign in, and audits it', async () => {
    const email = 'first.admin@example.com';
    const password = 'a-long-operator-passphrase';
    const created = await runCli(
      ['admin:create', '--email', 'First.Admin@example.com', '--name', 'First Admin', '--json'],
      env,
      `${password}\n`,
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const admin = JSON.parse(created.stdout) as { id: string; email: string; role: string };
    expect(admin).toMatchObject({ email, role: 'admin', name: 'First Admin' });

    const [row] = await t.db.query<{ role: string; password_hash: string }>(
      `SELECT role, password_hash FROM users WHERE email = $1`,
      [email],
    );
    expect(row.role).toBe('admin');
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    const login = await t.http().post('/v1/auth/login').send({ email, password }).expect(200);
    // The token is an admin's: the operator console answers it.
    await t
      .http()
      .get('/v1/ops/failed-jobs')
      .set('Authorization', `Bearer ${login.body.accessToken}`)
      .expect(200);

    const audit = await auditOf(t, 'user.admin_created');
    expect(audit).toEqual([
      expect.objectContaining({
        actor: OPERATOR,
        target: `user/${admin.id}`,
        details: { email },
        correlation_id: expect.stringMatching(/^cli-/),
      }),
    ]);
  });

  it('creates an admin while Redis is down (only the queue commands need it), and ends', async () => {
    const created = await runCli(
      ['admin:create', '--email', 'no-redis@example.com', '--name', 'No Redis'],
      { ...env, REDIS_URL: `redis://127.0.0.1:${await freePort()}` },
      'a-long-operator-passphrase\n',
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Created admin no-redis@example.com');
    const rows = await t.db.query(`SELECT role FROM users WHERE email = 'no-redis@example.com'`);
    expect(rows).toEqual([{ role: 'admin' }]);
  });

  it('refuses a weak password with exit code 1 and writes nothing', async () => {
    const weak = await runCli(
      ['admin:create', '--email', 'weak@example.com', '--name', 'Weak'],
      env,
      'short\n',
    );
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('weak password refused');
    expect(weak.stderr).toContain('10 characters');
    expect(await t.db.query(`SELECT 1 FROM users WHERE email = 'weak@example.com'`)).toEqual([]);
    const empty = await runCli(['admin:create', '--email', 'weak@example.com', '--name', 'Weak'], env, '');
    expect(empty.code).toBe(1);
    expect(await t.db.query(`SELECT 1 FROM users WHERE email = 'weak@example.com'`)).toEqual([]);
  });

  it('refuses an email that is already registered, whatever its case', async () => {
    const customer = await createUser(t);
    const taken = await runCli(
      ['admin:create', '--email', customer.email.toUpperCase(), '--name', 'Someone'],
      env,
      'another-long-passphrase\n',
    );
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('EMAIL_TAKEN');
    const rows = await t.db.query<{ role: string }>(`SELECT role FROM users WHERE email = $1`, [
      customer.email,
    ]);
    expect(rows).toEqual([{ role: 'customer' }]);
  });

  it('migrates an empty database, audits it, and finds nothing pending the second time', async () => {
    const empty = await createEmptyDatabase();
    try {
      const migrateEnv = { ...env, DATABASE_URL: empty.url };
      const first = await runCli(['migrate', '--json', '--reason', 'fresh install'], migrateEnv);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout).applied).toHaveLength(MIGRATIONS.length);
      const applied = await empty.query(`SELECT name FROM migrations`);
      expect(applied).toHaveLength(MIGRATIONS.length);

      const second = await runCli(['migrate'], migrateEnv);
      expect(second.code).toBe(0);
      expect(second.stdout).toContain('No pending migrations');

      const audit = await empty.query<AuditRow>(
        `SELECT actor, action, target, reason, details FROM ops_audit ORDER BY id`,
      );
      expect(audit).toEqual([
        expect.objectContaining({
          actor: OPERATOR,
          action: 'db.migrated',
          reason: 'fresh install',
          details: { applied: expect.arrayContaining([expect.any(String)]) },
        }),
        expect.objectContaining({ action: 'db.migrated', details: { applied: [] } }),
      ]);
    } finally {
      await empty.drop();
    }
  });
});

describe('dispatch CLI: orders:show', () => {
  let t: TestApp;

  // api and worker in one process: the order goes through its whole flow.
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('shows a paid and processed order with its ledger, history and jobs', async () => {
    const customer = await createUser(t);
    const itemId = await createItem(t, { stock: 5, priceCents: 2500 });
    const placed = await placeOrder(t, customer, [{ itemId, quantity: 2 }]).expect(201);
    const orderId = placed.body.id as string;
    await t.fakeStripe.succeedPayment(placed.body.paymentIntentId);
    await waitForStatus(t, orderId, 'PROCESSED');
    await waitFor(
      async () =>
        (
          await t.db.query(
            `SELECT 1 FROM job_runs WHERE aggregate_id = $1 AND name = 'PROCESS' AND state = 'completed'`,
            [orderId],
          )
        ).length > 0,
      { what: 'the PROCESS job run to complete' },
    );

    const shown = await runCli(['orders:show', orderId, '--json'], t.childEnv());
    expect(shown.stderr).toBe('');
    expect(shown.code).toBe(0);
    const report = JSON.parse(shown.stdout);
    expect(report.order).toMatchObject({
      id: orderId,
      status: 'PROCESSED',
      totalCents: 5000,
      paymentIntentId: placed.body.paymentIntentId,
      items: [expect.objectContaining({ itemId, quantity: 2, unitPriceCents: 2500 })],
    });
    expect(report.ledger.payment).toMatchObject({
      paymentIntentId: placed.body.paymentIntentId,
      amountCents: 5000,
      status: 'succeeded',
      capturedCents: 5000,
    });
    expect(report.ledger.facts).toMatchObject({ capturedCents: 5000, refundableCents: 5000 });
    expect(report.ledger.refunds).toEqual([]);
    expect(report.history.map((h: { toStatus: string }) => h.toStatus)).toEqual(
      expect.arrayContaining(['PENDING', 'PAID', 'PROCESSED']),
    );
    expect(report.jobs).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'PROCESS', state: 'completed' })]),
    );

    const text = await runCli(['orders:show', orderId], t.childEnv());
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Order ${orderId}`);
    for (const part of ['Payment ledger', 'History', 'Jobs', 'Steps', 'PROCESSED', 'succeeded', 'PROCESS'])
      expect(text.stdout).toContain(part);

    const missing = await runCli(['orders:show', '00000000-0000-4000-8000-000000000000'], t.childEnv());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ORDER_NOT_FOUND');
  });
});

describe('dispatch CLI: repairs (api only: no worker takes jobs, no relay sends rows)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({}, { role: 'api' });
  });
  afterAll(() => t.close());

  it('jobs:retry moves a failed job back to waiting and audits the retry', async () => {
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Notifications));
    const job = await queue.add(
      'admin.alert',
      { event: 'admin.alert', dedupeKey: 'cli-broken', orderId: 'cli-order', outboxId: '0' },
      { attempts: 1, jobId: 'cli-broken-job' },
    );
    // A worker of this test's own fails it for good (the api role runs none).
    const connection = new Redis(t.redis.url, { maxRetriesPerRequest: null });
    const worker = new Worker(
      QueueName.Notifications,
      async () => {
        throw new Error('template missing');
      },
      { connection, prefix: queue.opts.prefix },
    );
    try {
      await waitFor(async () => (await job.getState()) === 'failed', { what: 'the job to fail' });
    } finally {
      await worker.close();
      connection.disconnect();
    }

    const retried = await runCli(
      ['jobs:retry', 'notifications', 'cli-broken-job', '--reason', 'template restored', '--json'],
      t.childEnv(),
    );
    expect(retried.stderr).toBe('');
    expect(retried.code).toBe(0);
    expect(JSON.parse(retried.stdout)).toMatchObject({ jobId: 'cli-broken-job', action: 'retried' });
    expect(await job.getState()).toBe('waiting');
    expect(await auditOf(t, 'job.retried')).toEqual([
      {
        actor: OPERATOR,
        action: 'job.retried',
        target: 'notifications/cli-broken-job',
        reason: 'template restored',
        details: {},
        correlation_id: JSON.parse(retried.stdout).correlationId,
      },
    ]);

    const again = await runCli(['jobs:retry', 'notifications', 'cli-broken-job'], t.childEnv());
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('JOB_NOT_FAILED');
    const unknown = await runCli(['jobs:retry', 'notifications', 'no-such-job'], t.childEnv());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('JOB_NOT_FOUND');
    // Without Redis it says so and ends, instead of waiting for the queue's connection forever.
    const noRedis = await runCli(
      ['jobs:retry', 'notifications', 'cli-broken-job'],
      t.childEnv({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` }),
    );
    expect(noRedis.code).toBe(1);
    expect(noRedis.stderr).toContain('Redis does not answer');
    expect(await auditOf(t, 'job.retried')).toHaveLength(1);
  });

  it('outbox:redispatch relays unsent and stuck rows into their queues and audits each', async () => {
    const customer = await createUser(t);
    const itemId = await createItem(t, { stock: 3 });
    const placed = await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201);
    const orderId = placed.body.id as string;
    // A row stuck for two hours, next to the order's own rows (no relay runs here, so all stay unsent).
    await t.db.query(
      `INSERT INTO outbox (type, aggregate_id, payload, correlation_id, occurred_at)
       VALUES ('ORDER_PROCESS', $1, '{}', 'stuck-corr-1', now() - interval '2 hours')`,
      [orderId],
    );
    const unsent = await t.db.query<{ id: string; type: string }>(
      `SELECT id::text, type FROM outbox WHERE sent_at IS NULL ORDER BY id`,
    );
    expect(unsent.length).toBeGreaterThanOrEqual(2);

    const result = await runCli(['outbox:redispatch', '--json'], t.childEnv());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as { redispatched: number; rows: { outboxId: string }[] };
    expect(output.redispatched).toBe(unsent.length);
    expect(output.rows.map((r) => r.outboxId).sort()).toEqual(unsent.map((r) => r.id).sort());

    expect(await t.db.query(`SELECT id FROM outbox WHERE sent_at IS NULL`)).toEqual([]);
    const orders = t.app.get<Queue>(getQueueToken(QueueName.Orders));
    const stuckId = unsent[unsent.length - 1].id;
    const job = await orders.getJob(`ob-${stuckId}`);
    expect(job?.name).toBe('PROCESS');
    expect(job?.data).toMatchObject({ orderId, correlationId: 'stuck-corr-1' });
    expect(await job?.getState()).toMatch(/^(waiting|prioritized)$/);
    const runs = await t.db.query(`SELECT state FROM job_runs WHERE job_id = $1`, [`ob-${stuckId}`]);
    expect(runs).toEqual([{ state: 'queued' }]);

    const audit = await auditOf(t, 'outbox.redispatched');
    expect(audit.map((a) => a.target).sort()).toEqual(unsent.map((r) => `outbox/${r.id}`).sort());
    expect(audit.find((a) => a.target === `outbox/${stuckId}`)).toMatchObject({
      actor: OPERATOR,
      reason: 'dispatch outbox:redispatch',
      details: { type: 'ORDER_PROCESS', aggregateId: orderId, queue: 'orders', jobId: `ob-${stuckId}` },
      correlation_id: expect.stringMatching(/^cli-/),
    });

    const nothing = await runCli(['outbox:redispatch'], t.childEnv());
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toContain('No unsent outbox rows');
  });
});
