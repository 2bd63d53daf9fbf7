import { AdvisoryLock, AdvisoryLockKey } from '../../../src/infra/database/advisory-lock';
import { OrderReconciler } from '../../../src/modules/orders/jobs/order-reconciler.service';
import {
  createItem,
  placeUnworkedOrders,
  statusOf,
  stockOf,
  waitForStatus,
} from '../../factories/order.factory';
import { createUser } from '../../factories/user.factory';
import { outboxJobProblems, readOutboxJobs } from '../../setup/outbox-jobs';
import { startTestApp, TestApp } from '../../setup/test-app';
import { waitFor } from '../../setup/wait-for';

/**
 * Two worker processes (two in-process apps on one database and Redis prefix) each run a relay and a
 * reconciler. After Redis loses every job, both reconcilers run at once and both relays drain what they
 * re-dispatch: each lost job is repaired once, each overdue order settled once, and every outbox row ends
 * with exactly one BullMQ job, created once (read from Postgres and Redis afterwards).
 */
describe('scale-out: two workers reconcile and relay concurrently', () => {
  let api: TestApp;
  const workers: TestApp[] = [];

  beforeAll(async () => {
    // The api role runs no relay and no reconciler: the workers started below are the only ones.
    api = await startTestApp({}, { role: 'api' });
  });
  afterAll(async () => {
    for (const worker of workers) await worker.app.close();
    await api?.close();
  });

  it('repairs each lost job and settles each overdue order once, and sends each outbox row once', async () => {
    const user = await createUser(api);
    const itemId = await createItem(api, { stock: 100 });
    const { paid, unpaid } = await placeUnworkedOrders(api, user, itemId, { paid: 8, unpaid: 4 });
    // Redis loses every job; Postgres still knows each one as an open job run.
    await api.redis.flush();
    const [{ lost }] = await api.db.query<{ lost: string }>(
      `SELECT count(*) AS lost FROM job_runs WHERE state IN ('queued', 'active', 'retrying')`,
    );
    expect(Number(lost)).toBeGreaterThanOrEqual(paid.length);

    for (let n = 0; n < 2; n++)
      workers.push(
        await startTestApp(
          {},
          { role: 'worker', shared: { db: api.db, redis: api.redis, fakes: api.fakes } },
        ),
      );
    const reports = await Promise.all(
      workers.map((w) => w.app.get(OrderReconciler).reconcile({ missingJobGraceSeconds: 0 })),
    );
    expect(reports.reduce((sum, r) => sum + r.redispatched, 0)).toBe(Number(lost));
    expect(reports.reduce((sum, r) => sum + r.expired, 0)).toBe(unpaid.length);

    for (const id of paid) await waitForStatus(api, id, 'PROCESSED');
    for (const id of unpaid) expect(await statusOf(api, id)).toBe('CANCELLED');
    await waitFor(
      async () => {
        const [row] = await api.db.query<{ unsent: string; open: string }>(
          // EXPIRE jobs wait (delayed) for the end of a payment window, long after this test.
          `SELECT (SELECT count(*) FROM outbox WHERE sent_at IS NULL) AS unsent,
                  (SELECT count(*) FROM job_runs
                    WHERE state IN ('queued', 'active', 'retrying') AND name <> 'EXPIRE') AS open`,
        );
        return Number(row.unsent) === 0 && Number(row.open) === 0;
      },
      { what: 'every outbox row sent and every job run but the delayed EXPIREs finished' },
    );
    expect(await stockOf(api, itemId)).toBe(100 - paid.length);

    // A round after the others finds nothing left to repair.
    const after = await workers[0].app.get(OrderReconciler).reconcile({ missingJobGraceSeconds: 0 });
    expect(after).toMatchObject({ expired: 0, redispatched: 0, compensations: 0 });

    // Every row was relayed before the flush or re-dispatched after it: each has exactly one job now.
    const rows = await api.db.query<{ id: string }>(`SELECT id FROM outbox`);
    const jobs = await readOutboxJobs(api.redis.url, api.redis.prefix);
    expect(
      outboxJobProblems(
        jobs,
        rows.map((r) => String(r.id)),
      ),
    ).toEqual([]);
    const [{ runs }] = await api.db.query<{ runs: string }>(`SELECT count(*) AS runs FROM job_runs`);
    expect(Number(runs)).toBe(rows.length);
  });

  it('runs one reconciler round at a time across processes; a scheduled round skips a busy turn', async () => {
    const [first, second] = workers.map((w) => w.app.get(AdvisoryLock));
    let release!: () => void;
    const holding = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const held = new Promise<void>((resolve) => (entered = resolve));
    const round = first.run(AdvisoryLockKey.reconcilerRound, async () => {
      entered();
      await holding;
      return 'first';
    });
    await held;
    // Another process's scheduled round gives up at once while the first holds the lock…
    expect(await second.tryRun(AdvisoryLockKey.reconcilerRound, async () => 'second')).toEqual({
      acquired: false,
    });
    // …and a waiting round (a direct reconcile()) runs only after it, once Postgres has it queued.
    const order: string[] = [];
    const waiting = second.run(AdvisoryLockKey.reconcilerRound, async () => order.push('second'));
    await waitFor(
      async () =>
        (
          await api.db.query(
            `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          )
        ).length > 0,
      { what: 'the second round to queue for the lock' },
    );
    expect(order).toEqual([]);
    release();
    expect(await round).toBe('first');
    await waiting;
    expect(order).toEqual(['second']);
    expect(await second.tryRun(AdvisoryLockKey.reconcilerRound, async () => 'second')).toEqual({
      acquired: true,
      value: 'second',
    });
  });
});
