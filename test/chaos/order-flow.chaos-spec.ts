import { Failpoint } from '../../src/infra/failpoints/failpoints';
import { ChaosWorld, Replica, Role, sleep } from './support/chaos-world';
import { queryOnce } from '../setup/test-resources';
import { Check, checkInvariants, settled } from './support/invariants';
import { Shoppers } from './support/shoppers';

/**
 * `npm run test:chaos`: two apis and two workers as real child processes on the suite's own Postgres and
 * Redis, with the fake Stripe, fake ERP and SMTP capture in this process. Customers place and pay orders
 * through both apis without pause while one fault after another is injected (one replica at a time crashes,
 * the other keeps serving); afterwards every promise is checked against the final state and a table printed.
 * Nothing here is judged by how fast the server was: every wait is for a final state, with generous limits
 * (`CHAOS_BUSY=1` keeps a core busy the whole run to prove it).
 */
jest.setTimeout(15 * 60_000);

interface PhaseReport {
  phase: string;
  fault: string;
  observed: string;
  /** Wall-clock seconds the phase took: printed for the reader, never judged. */
  seconds: number;
}

describe('chaos: orders survive crashes and outages', () => {
  let world: ChaosWorld;
  let shoppers: Shoppers;
  const initialStock = new Map<string, number>();
  const phases: PhaseReport[] = [];
  let redisBackAt = new Date();
  let checks: Check[] = [];

  beforeAll(async () => {
    world = await ChaosWorld.create();
    // Migrations run under an advisory lock: replicas may start together, as in production.
    await Promise.all(world.replicas.map((replica) => world.start(replica)));
    const tokens = await Promise.all([0, 1, 2, 3, 4, 5].map((n) => login(`chaos-${n}@example.com`)));
    const admin = await login('chaos-admin@example.com', true);
    const items = await queryOnce<{ id: string; stock: number }>(
      world.databaseUrl,
      `INSERT INTO items (sku, name, price_cents, currency, stock)
       SELECT 'CHAOS-' || g, 'Chaos item ' || g, 1000 + g, 'EUR', CASE WHEN g <= 2 THEN 25 ELSE 100000 END
         FROM generate_series(1, 12) g RETURNING id, stock`,
    );
    for (const item of items) initialStock.set(item.id, item.stock);
    shoppers = new Shoppers(
      world.apiUrls,
      world.stripe,
      tokens,
      admin,
      items.map((i) => i.id),
    );
  });

  afterAll(async () => {
    await world?.close();
  });

  async function login(email: string, admin = false): Promise<string> {
    const password = 'chaos-password-123';
    const post = (path: string, body: unknown) =>
      fetch(`${world.apiUrls[0]}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const registered = (await (
      await post('/v1/auth/register', { email, password, name: 'Chaos' })
    ).json()) as {
      id: string;
    };
    if (admin)
      await queryOnce(world.databaseUrl, `UPDATE users SET role = 'admin' WHERE id = $1`, [registered.id]);
    const session = (await (await post('/v1/auth/login', { email, password })).json()) as {
      accessToken: string;
    };
    return session.accessToken;
  }

  /** Runs one phase: traffic keeps flowing; `inject` does the damage and says what it saw. */
  async function phase(name: string, fault: string, inject: () => Promise<string>): Promise<void> {
    shoppers.phase = name;
    const started = Date.now();
    const observed = await inject();
    phases.push({ phase: name, fault, observed, seconds: Math.round((Date.now() - started) / 1000) });
  }

  const api1: Replica = { role: 'api', n: 1 };
  const api2: Replica = { role: 'api', n: 2 };
  const worker1: Replica = { role: 'worker', n: 1 };
  const worker2: Replica = { role: 'worker', n: 2 };

  const stderrOf = (role: Role) =>
    world.history
      .filter((h) => h.replica.role === role)
      .map((h) => h.process.stderr)
      .join('');
  const failpointKills = (role: Role, point: Failpoint) =>
    stderrOf(role)
      .split('\n')
      .filter((l) => l.includes(`"failpoint":"${point}"`)).length;

  /**
   * Restarts one replica with a failpoint and waits for it to crash there (its twin keeps serving meanwhile)
   * and for the supervisor to restart it. The limit only ends a run whose crash never comes; on a busy
   * machine the Nth hit just comes later.
   */
  async function crashAt(replica: Replica, point: Failpoint, hit: number): Promise<string> {
    await world.stop(replica, 'SIGTERM');
    const crashing = await world.start(replica, `${point}=${hit}`);
    let limit: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      crashing.exited,
      new Promise((resolve) => (limit = setTimeout(() => resolve('no crash within 300 s'), 300_000))),
    ]);
    // A pending limit would keep Jest alive for minutes after the run.
    clearTimeout(limit);
    expect(exit).toBe('SIGKILL');
    expect(failpointKills(replica.role, point)).toBeGreaterThanOrEqual(1);
    const restarted = await world.waitForRestart(replica, crashing);
    expect(restarted.child.exitCode).toBeNull();
    return `${replica.role}-${replica.n} killed at ${point} (hit ${hit}); restarted`;
  }

  it('keeps every promise through crashes, outages and faulty partners', async () => {
    shoppers.start(3);

    await phase('baseline', 'none', async () => {
      await sleep(4000);
      return 'steady traffic';
    });

    await phase('api SIGKILL after commit', 'failpoints in POST /orders (api-1, then api-2)', async () => {
      const first = await crashAt(api1, Failpoint.OrderCommitted, 6);
      await sleep(1500);
      const second = await crashAt(api2, Failpoint.OrderAnswered, 6);
      await sleep(2000);
      return `${first}; ${second}`;
    });

    await phase('worker SIGTERM', 'graceful stop mid-traffic (worker-2)', async () => {
      const stalledBefore = stalledLines();
      const exit = await world.stop(worker2, 'SIGTERM');
      // Nest re-raises the signal once its shutdown hooks are done: SIGTERM here means a clean exit.
      expect([0, 'SIGTERM']).toContain(exit);
      await world.start(worker2);
      // Long enough for the stalled-job checks (JOB_STALLED_INTERVAL_MS=1000) of both workers to run.
      await sleep(3000);
      expect(stalledLines()).toBe(stalledBefore);
      return `exit ${String(exit)}; stalled jobs: ${stalledLines() - stalledBefore}`;
    });

    await phase('worker SIGKILL mid-relay', 'failpoint between addBulk and commit (worker-1)', async () => {
      const observed = await crashAt(worker1, Failpoint.RelayEnqueued, 4);
      await sleep(2000);
      return observed;
    });

    await phase(
      'worker SIGKILL mid-job',
      'failpoint after the Stripe refund, before Postgres (worker-2)',
      async () => {
        const observed = await crashAt(worker2, Failpoint.RefundAtStripe, 1);
        await sleep(2000);
        return observed;
      },
    );

    await phase('Redis SHUTDOWN NOSAVE', 'Redis gone 3 s, back empty', async () => {
      await world.redis.shutdownNoSave();
      await sleep(3000);
      await world.redis.up();
      redisBackAt = new Date();
      const keysAfterRestart = await world.redis.keyCount();
      await sleep(6000);
      return `restarted with ${keysAfterRestart} keys; reconciler re-dispatches lost jobs`;
    });

    await phase('Postgres stop/start', 'immediate shutdown for 3 s', async () => {
      world.pg.down('immediate');
      await sleep(3000);
      await world.pg.up();
      await sleep(5000);
      const stats = shoppers.statsFor('Postgres stop/start');
      return `503s: ${stats.byStatus[503] ?? 0}, network errors: ${stats.networkErrors}`;
    });

    await phase('Stripe slow / 5xx / reset', 'latency 400 ms, 6×500, 4 resets, 3 lost answers', async () => {
      world.stripe.injectFaults({ latencyMs: 400, match: { path: /^\/v1\/(payment_intents|refunds)/ } });
      world.stripe.injectFaults({ status5xx: 6, match: { method: 'POST', path: /^\/v1\/payment_intents$/ } });
      world.stripe.injectFaults({ resets: 4, match: { method: 'POST', path: /^\/v1\/payment_intents$/ } });
      world.stripe.injectFaults({ resets: 3, afterEffect: true, match: { method: 'POST' } });
      await sleep(5000);
      world.stripe.clearFaults();
      await sleep(1000);
      return 'faults cleared';
    });

    await phase('ERP slow / 5xx / down', 'timeouts, 10×503, outage 2 s', async () => {
      world.erp.injectFailures({ latencyMs: 2500, count: 3 });
      world.erp.injectFailures({ status: 503, count: 10 });
      await sleep(2000);
      world.erp.setDown(true);
      await sleep(2000);
      world.erp.setDown(false);
      world.erp.clearFailures();
      await sleep(2000);
      return 'ERP back';
    });

    shoppers.phase = 'drain';
    const drainStarted = Date.now();
    await shoppers.stop();

    // Wait for the final state (every order terminal, nothing left to send or run, every expected email
    // delivered); the limit only ends a run that never settles.
    const deadline = Date.now() + 300_000;
    let state = await settled(world, shoppers.intents);
    while (!state.done && Date.now() < deadline) {
      await sleep(500);
      state = await settled(world, shoppers.intents);
    }
    checks = await checkInvariants(world, shoppers.intents, initialStock, { redisBackAt });
    printSummary(state.pending, Math.round((Date.now() - drainStarted) / 1000));
    if (checks.some((c) => !c.ok)) world.dumpLogs();

    const serverErrors = [...shoppers.stats].filter(([, s]) => (s.byStatus[500] ?? 0) > 0);
    expect(serverErrors.map(([p, s]) => `${p}: ${s.byStatus[500]}×500`)).toEqual([]);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(world.crashes).toEqual({ api: 2, worker: 2 });
  });

  function stalledLines(): number {
    return world.logs('worker').filter((l) => l.msg === 'job stalled; it will run again').length;
  }

  function printSummary(pending: string, drainSeconds: number): void {
    const rows = phases.map((p) => {
      const s = shoppers.statsFor(p.phase);
      const fivexx = Object.entries(s.byStatus)
        .filter(([code]) => Number(code) >= 500)
        .map(([code, n]) => `${n}×${code}`)
        .join(' ');
      return [
        p.phase,
        p.fault,
        String(s.created),
        String(s.retries),
        String(s.networkErrors),
        fivexx || '-',
        String(p.seconds),
        p.observed,
      ];
    });
    const table = [['phase', 'fault', 'orders', 'retries', 'net err', '5xx', 's', 'observed'], ...rows];
    const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
    const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
    const intents = shoppers.intents;
    const out = [
      '',
      'Chaos summary',
      line(table[0]),
      `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
      ...rows.map(line),
      '',
      `intents: ${intents.length}, accepted: ${intents.filter((i) => i.order).length}, refused: ${
        intents.filter((i) => i.refused).length
      } (${[...new Set(intents.filter((i) => i.refused).map((i) => i.refused!.code))].join(', ') || '-'}), crashes: api ${
        world.crashes.api
      }, worker ${world.crashes.worker}; drained and settled in ${drainSeconds} s; at the end: ${pending}`,
      '',
      ...checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'}  ${c.invariant}: ${c.detail}`),
      '',
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  }
});
