import { Failpoint } from '../../src/infra/failpoints/failpoints';
import { ChaosWorld, sleep } from './support/chaos-world';
import { queryOnce } from '../setup/test-resources';
import { Check, checkInvariants, settled } from './support/invariants';
import { Shoppers } from './support/shoppers';

/**
 * `npm run test:chaos`: the api and the worker as real child processes on the suite's own Postgres and Redis,
 * with the fake Stripe, fake ERP and SMTP capture in this process. Customers place and pay orders without
 * pause while one fault after another is injected; afterwards every promise is checked and a table printed.
 */
jest.setTimeout(15 * 60_000);

interface PhaseReport {
  phase: string;
  fault: string;
  observed: string;
}

describe('chaos: orders survive crashes and outages', () => {
  let world: ChaosWorld;
  let shoppers: Shoppers;
  const initialStock = new Map<string, number>();
  const phases: PhaseReport[] = [];
  let checks: Check[] = [];

  beforeAll(async () => {
    world = await ChaosWorld.create();
    await world.start('api');
    await world.start('worker');
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
      world.baseUrl,
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
      fetch(`${world.baseUrl}${path}`, {
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
    const observed = await inject();
    phases.push({ phase: name, fault, observed });
  }

  const stderrOf = (role: 'api' | 'worker') =>
    world.history
      .filter((h) => h.role === role)
      .map((h) => h.process.stderr)
      .join('');
  const failpointKills = (role: 'api' | 'worker', point: Failpoint) =>
    stderrOf(role)
      .split('\n')
      .filter((l) => l.includes(`"failpoint":"${point}"`)).length;

  async function crashAt(role: 'api' | 'worker', point: Failpoint, hit: number): Promise<string> {
    await world.stop(role, 'SIGTERM');
    const crashing = await world.start(role, `${point}=${hit}`);
    const exit = await Promise.race([crashing.exited, sleep(60_000).then(() => 'no crash within 60 s')]);
    expect(exit).toBe('SIGKILL');
    expect(failpointKills(role, point)).toBeGreaterThanOrEqual(1);
    const restarted = await world.waitForRestart(role, crashing);
    expect(restarted.child.exitCode).toBeNull();
    return `killed at ${point} (hit ${hit}); restarted`;
  }

  it('keeps every promise through crashes, outages and faulty partners', async () => {
    shoppers.start(4);

    await phase('baseline', 'none', async () => {
      await sleep(4000);
      return 'steady traffic';
    });

    await phase('api SIGKILL after commit', 'failpoints in POST /orders', async () => {
      const first = await crashAt('api', Failpoint.OrderCommitted, 6);
      await sleep(1500);
      const second = await crashAt('api', Failpoint.OrderAnswered, 6);
      await sleep(2000);
      return `${first}; ${second}`;
    });

    await phase('worker SIGTERM', 'graceful stop mid-traffic', async () => {
      const stalledBefore = stalledLines();
      const exit = await world.stop('worker', 'SIGTERM');
      // Nest re-raises the signal once its shutdown hooks are done: SIGTERM here means a clean exit.
      expect([0, 'SIGTERM']).toContain(exit);
      await world.start('worker');
      // Long enough for the new worker's stalled-job check (JOB_STALLED_INTERVAL_MS=1000) to run twice.
      await sleep(3000);
      expect(stalledLines()).toBe(stalledBefore);
      return `exit ${String(exit)}; stalled jobs: ${stalledLines() - stalledBefore}`;
    });

    await phase('worker SIGKILL mid-relay', 'failpoint between addBulk and commit', async () => {
      const observed = await crashAt('worker', Failpoint.RelayEnqueued, 4);
      await sleep(2000);
      return observed;
    });

    await phase('worker SIGKILL mid-job', 'failpoint after the Stripe refund, before Postgres', async () => {
      const observed = await crashAt('worker', Failpoint.RefundAtStripe, 1);
      await sleep(2000);
      return observed;
    });

    await phase('Redis SHUTDOWN NOSAVE', 'Redis gone 3 s, back empty', async () => {
      await world.redis.shutdownNoSave();
      await sleep(3000);
      await world.redis.up();
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
    await shoppers.stop();

    const deadline = Date.now() + 120_000;
    let state = await settled(world, shoppers.intents);
    while (!state.done && Date.now() < deadline) {
      await sleep(500);
      state = await settled(world, shoppers.intents);
    }
    // Let stragglers (emails of the last transitions) land before counting.
    await sleep(1500);
    checks = await checkInvariants(world, shoppers.intents, initialStock);
    printSummary(state.pending);
    if (checks.some((c) => !c.ok)) world.dumpLogs();

    const serverErrors = [...shoppers.stats].filter(([, s]) => (s.byStatus[500] ?? 0) > 0);
    expect(serverErrors.map(([p, s]) => `${p}: ${s.byStatus[500]}×500`)).toEqual([]);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(world.crashes).toEqual({ api: 2, worker: 2 });
  });

  function stalledLines(): number {
    return world.logs('worker').filter((l) => l.msg === 'job stalled; it will run again').length;
  }

  function printSummary(pending: string): void {
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
        p.observed,
      ];
    });
    const table = [['phase', 'fault', 'orders', 'retries', 'net err', '5xx', 'observed'], ...rows];
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
      }, worker ${world.crashes.worker}; at the end: ${pending}`,
      '',
      ...checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'}  ${c.invariant}: ${c.detail}`),
      '',
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  }
});
