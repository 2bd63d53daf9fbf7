import os from 'node:os';
import path from 'node:path';

/**
 * Every knob of `npm run bench`, read once from the environment (the one file of bench/ that reads it, as
 * src/config is for the app). BENCH_QUICK=1 shortens every phase for a smoke run of about two minutes.
 */
const env = process.env;
const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
const num = (name: string, full: number, short: number = full): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return quick ? short : full;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number: ${raw}`);
  return value;
};

/** Phases in the order they run; `all-in-one` is the optional knob (BENCH_PHASES=all or naming it). */
export const PHASE_ORDER = [
  'floor-fastify',
  'floor-nest',
  'pgbench',
  'pgbench-hot',
  'health',
  'items',
  'orders',
  'e2e',
  'outbox-lag',
  'hot-items',
  'signup-storm',
  'all-in-one',
] as const;
export type PhaseName = (typeof PHASE_ORDER)[number];

function phases(): Set<PhaseName> {
  const raw = env.BENCH_PHASES?.trim();
  if (!raw) return new Set(PHASE_ORDER.filter((p) => p !== 'all-in-one'));
  if (raw === 'all') return new Set(PHASE_ORDER);
  const asked = raw.split(',').map((p) => p.trim());
  const unknown = asked.filter((p) => !(PHASE_ORDER as readonly string[]).includes(p));
  if (unknown.length)
    throw new Error(`BENCH_PHASES: unknown ${unknown.join(', ')}; known: ${PHASE_ORDER.join(', ')}`);
  return new Set(asked as PhaseName[]);
}

const root = path.resolve(__dirname, '..', '..', '..');
const profile = env.BENCH_PROFILE?.trim() || null;

export const settings = {
  quick,
  root,
  /** The compiled app (`npm run bench` builds dist/ with `npm run build:dev`); another build keeps rebuilds out. */
  dist: path.resolve(root, env.BENCH_DIST || 'dist'),
  /** This bench, compiled (dist-bench/bench). */
  benchDist: path.resolve(__dirname, '..'),
  benchSources: path.join(root, 'bench'),
  resultsDir: path.resolve(root, env.BENCH_RESULTS_DIR || 'bench/results'),
  adminDatabaseUrl: env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
  pgbench: env.BENCH_PGBENCH || null,
  connections: num('BENCH_CONNECTIONS', 32),
  durations: {
    /** GET phases and the floors. */
    httpSeconds: num('BENCH_READ_DURATION', 10, 3),
    /** Unmeasured load before each GET phase and floor, so that none is measured while the JIT warms up. */
    warmupSeconds: num('BENCH_WARMUP_DURATION', 2, 1),
    ordersSeconds: num('BENCH_DURATION', 30, 5),
    pgbenchSeconds: num('BENCH_PGBENCH_DURATION', 15, 4),
    hotSeconds: num('BENCH_HOT_DURATION', 20, 5),
    stormSeconds: num('BENCH_STORM_DURATION', 20, 4),
    lagSeconds: num('BENCH_LAG_DURATION', 20, 5),
  },
  e2eOrders: num('BENCH_E2E_ORDERS', 2000, 150),
  /** Orders per second of the half-capacity outbox-lag phase; default half of the e2e phase's measured rate. */
  lagRate: env.BENCH_LAG_RATE ? num('BENCH_LAG_RATE', 0) : null,
  /** Orders of `npm run bench:redis-memory` (bench/redis-memory.ts). */
  memoryOrders: num('MEMORY_ORDERS', 10_000, 1_000),
  users: num('BENCH_USERS', 32),
  items: num('BENCH_ITEMS', 100),
  hotItems: num('BENCH_HOT_ITEMS', 30),
  signupConcurrency: num('BENCH_SIGNUPS', 100),
  poolSize: String(num('BENCH_POOL_SIZE', 20)),
  /** The api's and the worker's LOG_LEVEL: info, as in production (one line per request). */
  logLevel: env.BENCH_LOG_LEVEL || 'info',
  /** Node flags of the api and worker processes, as a deployment sets them (docker/Dockerfile, docker-compose.yml). */
  apiNodeArgs: (env.BENCH_API_NODE_ARGS ?? '--max-old-space-size=192').split(' ').filter(Boolean),
  phases: phases(),
  /** BENCH_PROFILE=<phase>: a V8 CPU profile of the api (or the floor server) during that phase. */
  profile: profile === '1' || profile === 'true' ? 'orders' : profile,
  debug: Boolean(env.BENCH_DEBUG),
  /** How often /proc is read for CPU time and RSS. */
  sampleMs: num('BENCH_SAMPLE_MS', 250),
  machine: { cpus: os.cpus().length },
  /** How this run was started, for the report: the BENCH_* variables and the npm script. */
  command: [
    ...Object.entries(env)
      .filter(([k]) => k.startsWith('BENCH_'))
      .map(([k, v]) => `${k}=${v}`),
    'npm run bench',
  ].join(' '),
};

export type Settings = typeof settings;
