/**
 * `npm run bench`: measures Dispatch on this machine against floors and ceilings measured in the same run, and
 * writes bench/results/<date>.json (every figure) and <date>.md (the README's summary table); both ignored by git.
 *
 * Phases, in order (BENCH_PHASES=a,b,… picks some; `all` adds the optional all-in-one):
 *   floor-fastify, floor-nest  a bare Fastify and a bare Nest + Fastify hello route, each its own process
 *   pgbench, pgbench-hot       the order transaction without the app (c=BENCH_CONNECTIONS), and on 30 hot items
 *   health, items              GET /v1/health/live, cached GET /v1/items
 *   orders                     POST /v1/orders, JWT, unique Idempotency-Key
 *   e2e                        placed → paid (signed webhook) → PROCESSED in Postgres; outbox lag under saturation
 *   outbox-lag                 commit → job active at half the e2e capacity
 *   hot-items                  POST /v1/orders on the 30 hot items (flash sale): deadlocks, 5xx
 *   signup-storm               100 concurrent registrations and logins while orders flow
 *   all-in-one                 health, items, orders again with api and worker in one process (dist/all.js)
 * Each phase reports throughput, p50/p99, errors, CPU ms per unit per process group (/proc), RSS peaks and, for
 * the database phases, statements (pg_stat_statements), commits and rows written per order.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Redis from 'ioredis';

import { allInOne } from './phases/all-in-one';
import { endToEnd } from './phases/end-to-end';
import { floor } from './phases/floor';
import { httpGet } from './phases/http-get';
import { postOrders } from './phases/orders';
import { outboxLagAtHalfCapacity } from './phases/outbox-lag';
import { pgbenchPhase } from './phases/pgbench';
import { signupStorm } from './phases/signup-storm';
import { BenchContext, PhaseReport } from './support/context';
import { BenchDatabase, queryOnce } from './support/database';
import { DispatchStack } from './support/dispatch-stack';
import { PgStats } from './support/pg-stats';
import { ProcSampler } from './support/proc-sampler';
import { markdownSummary, othersCores, printReport } from './support/report-output';
import { ITEM_STOCK, seed } from './support/seed';
import { PhaseName, settings } from './support/settings';
import { round } from './support/stats';
import { evaluateTargets } from './support/targets';

async function machineDescription(db: BenchDatabase): Promise<Record<string, unknown>> {
  const [{ version }] = await db.query<{ version: string }>('SELECT version()');
  const redis = new Redis(settings.redisUrl);
  const info = await redis.info('server').finally(() => redis.disconnect());
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres: version.split(' ').slice(0, 2).join(' '),
    redis: /redis_version:(\S+)/.exec(info)?.[1],
    loadAverageAtStart: os.loadavg().map((l) => round(l, 2)),
  };
}

async function removeRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(settings.redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const date = new Date().toISOString();
  const stamp = date.slice(0, 19).replace(/:/g, '-');
  fs.mkdirSync(settings.resultsDir, { recursive: true });
  const database = `dispatch_bench_${started}`;
  const keyPrefix = `bench:${started}:`;
  const dbUrl = new URL(settings.adminDatabaseUrl);
  dbUrl.pathname = `/${database}`;
  await queryOnce(settings.adminDatabaseUrl, `CREATE DATABASE ${database}`);
  const sampler = new ProcSampler(settings.sampleMs);
  const db = new BenchDatabase(dbUrl.toString());
  const [cluster] = await db.query<{ cluster: string; dataDirectory: string }>(
    `SELECT current_setting('cluster_name') AS cluster, current_setting('data_directory') AS "dataDirectory"`,
  );
  sampler.setPostgres({ database, ...cluster });
  const profileFile = path.join(settings.resultsDir, `${stamp}.${settings.profile ?? 'none'}.cpuprofile`);
  let stack: DispatchStack | null = null;
  let cleaned: Promise<void> | null = null;
  const cleanup = () =>
    (cleaned ??= (async () => {
      sampler.stop();
      await stack?.stopAll(path.join(settings.resultsDir, stamp));
      await db.close().catch(() => undefined);
      await queryOnce(settings.adminDatabaseUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(
        () => undefined,
      );
      await removeRedisKeys(keyPrefix).catch(() => undefined);
    })());
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    console.error('interrupted: stopping processes, dropping the bench database');
    void cleanup().finally(() => process.exit(130));
  });

  const failures: Record<string, string> = {};
  const reports = new Map<string, PhaseReport>();
  let machine: Record<string, unknown> = {};
  let consistency: Record<string, unknown> | null = null;
  let pgNote: string | null = null;
  try {
    machine = await machineDescription(db);
    const pgStats = await PgStats.prepare(db);
    pgNote = pgStats.note;
    if (pgNote) console.log(pgNote);
    stack = await DispatchStack.create(settings, sampler, { databaseUrl: db.url, keyPrefix, profileFile });
    const ctx: BenchContext = {
      settings,
      stamp,
      sampler,
      db,
      pgStats,
      stack,
      seed: { tokens: [], bodies: [], hotBodies: [] },
      reports,
      profileFile,
    };
    const phase = async (name: PhaseName, run: () => Promise<PhaseReport | PhaseReport[]>) => {
      if (!settings.phases.has(name) || interrupted) return;
      const t0 = Date.now();
      process.stdout.write(`▶ ${name} … `);
      try {
        for (const report of [await run()].flat()) {
          reports.set(report.id, report);
          process.stdout.write(
            `${report.throughput} ${report.unit}, p99 ${report.latencyMs?.p99 ?? '–'} ms, ${report.errors} errors; `,
          );
        }
        console.log(`(${round((Date.now() - t0) / 1000)} s)`);
      } catch (error) {
        failures[name] = error instanceof Error ? (error.stack ?? error.message) : String(error);
        console.log(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
      }
    };

    await phase('floor-fastify', () => floor(ctx, 'floor-fastify'));
    await phase('floor-nest', () => floor(ctx, 'floor-nest'));
    await stack.start('api');
    ctx.seed = await seed(settings, stack.base, db);
    await phase('pgbench', () => pgbenchPhase(ctx, 'pgbench'));
    await phase('pgbench-hot', () => pgbenchPhase(ctx, 'pgbench-hot'));
    // Started after pgbench, so that no relay picks up pgbench's outbox rows.
    await stack.start('worker');
    await phase('health', () => httpGet(ctx, 'health'));
    await phase('items', () => httpGet(ctx, 'items'));
    await phase('orders', () => postOrders(ctx));
    await phase('e2e', () => endToEnd(ctx));
    await phase('outbox-lag', () => outboxLagAtHalfCapacity(ctx));
    await phase('hot-items', () => postOrders(ctx, { hot: true }));
    await phase('signup-storm', () => signupStorm(ctx));
    await phase('all-in-one', () => allInOne(ctx));

    const [counts] = await db.query<{ orders: string; taken: string }>(
      `SELECT (SELECT count(*) FROM orders) AS orders,
              (SELECT sum($1::int - stock) FROM items WHERE sku LIKE 'BENCH-%') AS taken`,
      [ITEM_STOCK],
    );
    consistency = {
      orders: Number(counts.orders),
      stockTaken: Number(counts.taken),
      consistent: Number(counts.orders) === Number(counts.taken),
    };
  } catch (error) {
    failures.setup = error instanceof Error ? (error.stack ?? error.message) : String(error);
    console.error(error);
  } finally {
    await cleanup();
  }

  const list = [...reports.values()];
  const targets = evaluateTargets(reports);
  const machineText = `${machine.cpus} vCPU ${String(machine.cpuModel ?? '').trim()}, ${machine.memoryGiB} GiB, Node ${
    machine.node
  }, ${machine.postgres}, Redis ${machine.redis}, load average at start ${(machine.loadAverageAtStart as number[] | undefined)?.join(' ')}`;
  const report = {
    date,
    command: settings.command,
    machine,
    settings: {
      quick: settings.quick,
      connections: settings.connections,
      durations: settings.durations,
      e2eOrders: settings.e2eOrders,
      users: settings.users,
      items: settings.items,
      hotItems: settings.hotItems,
      signupConcurrency: settings.signupConcurrency,
      poolSize: Number(settings.poolSize),
      apiNodeArgs: settings.apiNodeArgs,
      processes:
        'api (dist/main.js), worker (dist/worker.js), fake Stripe, fake ERP and SMTP capture: separate processes',
    },
    pgStatStatements: pgNote ?? 'loaded',
    phases: list,
    targets,
    consistency,
    quiet: Object.fromEntries(
      list.map((p) => [p.id, { othersCores: othersCores(p), machineBusyPct: p.machine.busyPct }]),
    ),
    failures,
    benchSeconds: round((Date.now() - started) / 1000),
  };
  const rel = (file: string) => path.relative(settings.root, file);
  const jsonFile = path.join(settings.resultsDir, `${stamp}.json`);
  const mdFile = path.join(settings.resultsDir, `${stamp}.md`);
  fs.writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(
    mdFile,
    markdownSummary({ date, machine: machineText, command: settings.command }, list, targets),
  );
  printReport(list, targets, pgNote);
  if (consistency)
    console.log(`\norders created: ${consistency.orders}, stock taken: ${consistency.stockTaken}`);
  for (const [name, failure] of Object.entries(failures))
    console.error(`\nphase ${name} failed:\n${failure}`);
  console.log(
    `\nreport: ${rel(jsonFile)}, summary: ${rel(mdFile)}, process output: ${rel(path.join(settings.resultsDir, stamp))}.*.log` +
      ` (${report.benchSeconds} s)`,
  );
  process.exitCode = Object.keys(failures).length ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
