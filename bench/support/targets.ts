import { PhaseReport } from './context';
import { ratio, round } from './stats';

export interface TargetResult {
  target: string;
  want: string;
  measured: string;
  /** measured / reference of the same run, where the target is a ratio. */
  ratio: number | null;
  /** null: not measured in this run (phase not run, or its reference missing). */
  met: boolean | null;
}

const RSS_LIMIT_MIB = 300;
const PG_CPU_PER_ORDER_MS = 8;

/** Every target of issue 12 item 1, against the floors and ceilings measured in the same run. */
export function evaluateTargets(reports: Map<string, PhaseReport>): TargetResult[] {
  const out: TargetResult[] = [];
  const r = (id: string) => reports.get(id);
  const add = (
    target: string,
    want: string,
    measured: string,
    met: boolean | null,
    value: number | null = null,
  ) => out.push({ target, want, measured, ratio: value, met });

  /** `phase` throughput ≥ factor × `reference` throughput. */
  const atLeast = (id: string, factor: number, refId: string, refName: string) => {
    const phase = r(id);
    const ref = r(refId);
    const value = ratio(phase?.throughput, ref?.throughput);
    add(
      `${phase?.title ?? id} throughput`,
      `≥ ${factor} × ${refName}`,
      !phase
        ? 'phase not run'
        : ref
          ? `${phase.throughput} vs ${ref.throughput} ${ref.unit}`
          : `${phase.throughput} ${phase.unit}; ${refId} not run`,
      value === null ? null : value >= factor,
      value,
    );
  };
  const noErrors = (id: string, what = 'errors') => {
    const phase = r(id);
    if (!phase) return;
    add(`${phase.title} ${what}`, '0', String(phase.errors), phase.errors === 0);
  };

  atLeast('health', 0.5, 'floor-fastify', 'bare Fastify');
  atLeast('items', 0.35, 'floor-fastify', 'bare Fastify');

  atLeast('orders', 0.5, 'pgbench', 'pgbench order ceiling');
  const orders = r('orders');
  const ceiling = r('pgbench');
  const p99 = ratio(orders?.latencyMs?.p99, ceiling?.latencyMs?.p99);
  add(
    'POST /v1/orders p99',
    '≤ 4 × pgbench p99 (same concurrency)',
    orders && ceiling
      ? `${orders.latencyMs?.p99} vs ${ceiling.latencyMs?.p99} ms`
      : `${orders ? `${orders.latencyMs?.p99} ms` : 'phase not run'}; ${ceiling ? '' : 'pgbench not run'}`,
    p99 === null ? null : p99 <= 4,
    p99,
  );
  noErrors('orders');

  atLeast('e2e', 0.25, 'pgbench', 'pgbench order ceiling');
  const e2e = r('e2e');
  if (e2e) {
    const pgMs = e2e.cpuMsPerUnit.postgres ?? null;
    add(
      'Postgres CPU per order, end to end',
      `≤ ${PG_CPU_PER_ORDER_MS} ms`,
      `${pgMs} ms`,
      pgMs === null ? null : pgMs <= PG_CPU_PER_ORDER_MS,
    );
    noErrors('e2e', 'failed requests or orders not PROCESSED');
  }
  for (const id of ['orders', 'e2e']) {
    const pg = r(id)?.pg;
    if (!pg) continue;
    const statements =
      pg.statementsPerUnit === null ? 'n/a (pg_stat_statements not loaded)' : pg.statementsPerUnit;
    add(
      `${r(id)?.title}: database work per order`,
      'printed',
      `${statements} statements, ${pg.commitsPerUnit} commits, ${pg.rowsWrittenPerUnit.total} rows written`,
      null,
    );
  }

  const lag = r('outbox-lag');
  if (lag) {
    const { p50, p99: lagP99 } = lag.latencyMs ?? { p50: null, p99: null };
    add(
      'outbox lag at half capacity p50 (commit → ORDER_PROCESS active)',
      '≤ 5 ms',
      `${p50} ms`,
      p50 === null ? null : p50 <= 5,
    );
    add('outbox lag at half capacity p99', '≤ 50 ms', `${lagP99} ms`, lagP99 === null ? null : lagP99 <= 50);
  }
  const saturated = (
    e2e?.details.outboxLagUnderSaturation as { orderProcessCommitToActiveMs?: { p50: number; p99: number } }
  )?.orderProcessCommitToActiveMs;
  if (saturated) {
    add(
      'outbox lag under saturation (e2e)',
      'printed',
      `p50 ${saturated.p50} ms, p99 ${saturated.p99} ms`,
      null,
    );
  }

  atLeast('hot-items', 0.5, 'pgbench-hot', "pgbench's hot ceiling");
  const hot = r('hot-items');
  if (hot) {
    const deadlocks = hot.pg?.deadlocks ?? null;
    add('hot items deadlocks', '0', String(deadlocks), deadlocks === null ? null : deadlocks === 0);
    const s5xx = Number(hot.details.status5xx ?? 0);
    add('hot items 5xx', '0', String(s5xx), s5xx === 0);
  }

  for (const process of ['api', 'worker']) {
    const peaks = [...reports.values()]
      .filter((p) => p.rssPeakMiB[process] !== undefined)
      .map((p) => ({ id: p.id, mib: p.rssPeakMiB[process] }));
    if (peaks.length === 0) continue;
    const worst = peaks.reduce((a, b) => (b.mib > a.mib ? b : a));
    add(
      `${process} RSS peak, every phase`,
      `≤ ${RSS_LIMIT_MIB} MiB`,
      `${worst.mib} MiB (${worst.id})`,
      worst.mib <= RSS_LIMIT_MIB,
      round(worst.mib / RSS_LIMIT_MIB, 2),
    );
  }

  const storm = r('signup-storm');
  if (storm) {
    noErrors('signup-storm', 'errors (sign-ups and orders)');
    atLeast('signup-storm', 0.8, 'orders', 'plain POST /v1/orders');
  }

  for (const id of ['health', 'items', 'orders']) {
    if (r(`all-in-one/${id}`)) atLeast(`all-in-one/${id}`, 0.8, id, 'split processes');
  }
  return out;
}
