import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { BenchContext, measure, phaseReport, PhaseReport } from '../support/context';
import { percentile } from '../support/stats';

interface PgbenchRun {
  tps: number;
  transactions: number;
  failed: number;
  latencyMs: { p50: number | null; p90: number | null; p99: number | null; max: number | null };
}

function findPgbench(configured: string | null): string | null {
  const candidates = [configured, '/usr/lib/postgresql/15/bin/pgbench', 'pgbench'].filter((c): c is string =>
    Boolean(c),
  );
  return candidates.find((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0) ?? null;
}

/** pgbench with the order transaction over `items` items; latency percentiles from its per-transaction log. */
async function pgbench(ctx: BenchContext, binary: string, items: number): Promise<PgbenchRun> {
  const { settings } = ctx;
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-pgbench-'));
  const url = new URL(ctx.db.url);
  const args = [
    '-n',
    ...['-M', 'prepared'],
    ...['-c', String(settings.connections)],
    ...['-j', String(Math.min(settings.connections, os.cpus().length))],
    ...['-T', String(settings.durations.pgbenchSeconds)],
    ...['-f', path.join(settings.benchSources, 'order-transaction.pgbench.sql')],
    ...['-D', `items=${items}`, '-D', `users=${settings.users}`],
    ...['-l', '--log-prefix', path.join(logDir, 'tx')],
    ...['-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username) || 'postgres'],
    url.pathname.slice(1),
  ];
  try {
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(binary, args, {
        env: { PATH: process.env.PATH ?? '', PGPASSWORD: decodeURIComponent(url.password) },
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.on('exit', (exitCode) => resolve({ code: exitCode, out }));
    });
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out);
    if (code !== 0 || !tps) throw new Error(`pgbench failed (${code}):\n${out.slice(-2000)}`);
    const failed = /number of failed transactions: (\d+)/.exec(out);
    const latencies: number[] = [];
    for (const file of fs.readdirSync(logDir)) {
      for (const line of fs.readFileSync(path.join(logDir, file), 'utf8').split('\n')) {
        // client_id transaction_no time(us) script_no time_epoch time_us
        const f = line.split(' ');
        if (f.length >= 6) latencies.push(Number(f[2]) / 1000);
      }
    }
    latencies.sort((a, b) => a - b);
    return {
      tps: Math.round(Number(tps[1])),
      transactions: latencies.length,
      failed: failed ? Number(failed[1]) : 0,
      latencyMs: {
        p50: percentile(latencies, 50),
        p90: percentile(latencies, 90),
        p99: percentile(latencies, 99),
        max: percentile(latencies, 100),
      },
    };
  } finally {
    fs.rmSync(logDir, { recursive: true, force: true });
  }
}

/** Removes what pgbench wrote (orders, lines, outbox rows) and gives the stock back. */
async function removePgbenchRows(ctx: BenchContext): Promise<void> {
  await ctx.db.query(
    `WITH o AS (DELETE FROM outbox WHERE correlation_id = 'pgbench' RETURNING aggregate_id),
          l AS (SELECT item_id, sum(quantity)::int AS q FROM order_lines
                 WHERE order_id IN (SELECT aggregate_id FROM o) GROUP BY item_id),
          s AS (UPDATE items i SET stock = i.stock + l.q FROM l WHERE i.id = l.item_id RETURNING 1)
     DELETE FROM orders WHERE id IN (SELECT aggregate_id FROM o)`,
  );
  await ctx.db.query('VACUUM ANALYZE');
}

/**
 * The ceiling of POST /v1/orders: the database work of one order (bench/order-transaction.pgbench.sql) sent by
 * pgbench with the same client count and no application in between, on the same schema and seed; `hot` runs
 * it with every client on the first `hotItems` items (flash sale). Run before the worker starts, so nothing
 * relays pgbench's outbox rows; the rows are removed afterwards.
 */
export async function pgbenchPhase(
  ctx: BenchContext,
  phase: 'pgbench' | 'pgbench-hot',
): Promise<PhaseReport> {
  const { settings } = ctx;
  const binary = findPgbench(settings.pgbench);
  if (!binary) throw new Error('pgbench not found: install postgresql-client-15 or set BENCH_PGBENCH');
  const items = phase === 'pgbench-hot' ? settings.hotItems : settings.items;
  const measured = await measure(ctx, phase, { pg: true, units: (r) => r.transactions }, () =>
    pgbench(ctx, binary, items),
  );
  await removePgbenchRows(ctx);
  const r = measured.result;
  return phaseReport(
    {
      id: phase,
      title:
        phase === 'pgbench'
          ? `ceiling: pgbench order transaction, ${items} items`
          : `ceiling: pgbench, ${items} hot items`,
      unit: 'tx/s',
      throughput: r.tps,
      latencyMs: r.latencyMs,
      errors: r.failed,
      details: {
        pgbench: { ...r, clients: settings.connections, seconds: settings.durations.pgbenchSeconds, items },
      },
    },
    measured,
    r.transactions,
  );
}
