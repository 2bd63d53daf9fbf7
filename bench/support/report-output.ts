import { ProfileSummary } from '../analyse-cpuprofile';
import { PhaseReport } from './context';
import { round } from './stats';
import { TargetResult } from './targets';

/** CPU groups shown in the tables, in this order ('load' is the load generator: autocannon, the clients or pgbench). */
/** Others' CPU (in cores) above which a phase was not measured on a quiet machine: a tenth of two cores. */
export const QUIET_CORES = 0.2;

const CPU_COLUMNS = ['api', 'worker', 'all-in-one', 'fake stripe', 'fake erp+smtp', 'postgres', 'redis'];

/** CPU of processes that are not the bench's (other people's work on the machine) during the phase, in cores. */
export function othersCores(p: PhaseReport): number {
  const foreign =
    (p.cpuSeconds.other ?? 0) + (p.cpuSeconds['postgres (other dbs)'] ?? 0) + p.machine.unaccountedCpuSeconds;
  return round(foreign / Math.max(0.001, p.machine.seconds), 2);
}

const serverOf = (p: PhaseReport): string | undefined =>
  ['bare fastify', 'bare nest'].find((s) => p.cpuSeconds[s] !== undefined);

function cpuCells(p: PhaseReport): Record<string, string> {
  const cells: Record<string, string> = {};
  const server = serverOf(p);
  if (server) cells.server = String(p.cpuMsPerUnit[server]);
  for (const g of CPU_COLUMNS) if (p.cpuMsPerUnit[g] !== undefined) cells[g] = String(p.cpuMsPerUnit[g]);
  cells.load = String(round((p.cpuMsPerUnit['bench client'] ?? 0) + (p.cpuMsPerUnit.pgbench ?? 0), 2));
  return cells;
}

const unitOf = (p: PhaseReport) => (p.unit === 'req/s' ? 'req' : p.unit === 'tx/s' ? 'tx' : 'order');

export function printReport(reports: PhaseReport[], targets: TargetResult[], pgNote: string | null): void {
  console.log('\nPhases (CPU: ms per request, transaction or order, per process group)');
  console.table(
    Object.fromEntries(
      reports.map((p) => [
        p.title,
        {
          throughput: `${p.throughput} ${p.unit}`,
          'p50 ms': p.latencyMs?.p50,
          'p99 ms': p.latencyMs?.p99,
          errors: p.errors,
          'CPU ms per': unitOf(p),
          ...cpuCells(p),
          'api MiB': p.rssPeakMiB.api ?? p.rssPeakMiB['all-in-one'],
          'worker MiB': p.rssPeakMiB.worker,
          'others cores': othersCores(p),
        },
      ]),
    ),
  );
  for (const p of reports.filter((r) => r.pg)) {
    const pg = p.pg!;
    console.log(
      `\n${p.title}, per ${unitOf(p)}: ${pg.statementsPerUnit ?? 'n/a'} statements, ${pg.commitsPerUnit} commits, ` +
        `${pg.rollbacksPerUnit} rollbacks, rows written ${pg.rowsWrittenPerUnit.total} (ins ${pg.rowsWrittenPerUnit.inserted}, ` +
        `upd ${pg.rowsWrittenPerUnit.updated}, del ${pg.rowsWrittenPerUnit.deleted}), deadlocks ${pg.deadlocks}`,
    );
    if (pg.statements && ['orders', 'e2e', 'hot-items', 'pgbench'].includes(p.id)) {
      console.table(
        pg.statements.slice(0, 25).map((s) => ({
          [`calls/${unitOf(p)}`]: s.callsPerUnit,
          [`rows/${unitOf(p)}`]: s.rowsPerUnit,
          statement: s.statement.slice(0, 110),
        })),
      );
    }
  }
  for (const p of reports) {
    const profile = p.details.cpuProfile as (ProfileSummary & { file: string }) | undefined;
    if (!profile) continue;
    console.log(
      `\nCPU profile of ${p.title}: ${profile.file}, ${profile.totalMs} ms sampled, busy ${profile.busyPct}%`,
    );
    console.table(profile.byPackage.slice(0, 15));
    console.table(profile.byFunction.slice(0, 15));
  }
  if (pgNote) console.log(`\n${pgNote}`);
  console.log('\nTargets (ratios to this run’s floors and ceilings)');
  console.table(
    targets.map((t) => ({
      target: t.target,
      want: t.want,
      measured: t.measured,
      ratio: t.ratio,
      met: metText(t.met),
    })),
  );
  const busy = reports.filter((p) => othersCores(p) > QUIET_CORES);
  if (busy.length) {
    console.log(
      `\nThe machine was not quiet: other processes used more than ${QUIET_CORES} core during ${busy.map((p) => p.id).join(', ')}` +
        ' ("others cores"); re-run when it is idle for figures to compare.',
    );
  }
}

const metText = (met: boolean | null) => (met === null ? '—' : met ? 'met' : 'NOT met');

const cell = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** The README's summary: one table of phases, one of targets, with the machine and the command. */
export function markdownSummary(
  header: { date: string; machine: string; command: string },
  reports: PhaseReport[],
  targets: TargetResult[],
): string {
  const lines = [
    `Run of ${header.date} on ${header.machine}; command: \`${header.command}\`.`,
    '',
    '| phase | throughput | p50 ms | p99 ms | errors | CPU ms per unit (api / worker / Postgres / Redis / fake Stripe / fake ERP+SMTP) | api / worker RSS MiB | others (cores) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const p of reports) {
    const c = p.cpuMsPerUnit;
    const server = serverOf(p);
    const cpu = server
      ? `server ${c[server]}`
      : [c.api ?? c['all-in-one'], c.worker, c.postgres, c.redis, c['fake stripe'], c['fake erp+smtp']]
          .map((v) => cell(v) || '–')
          .join(' / ');
    const rss = [p.rssPeakMiB.api ?? p.rssPeakMiB['all-in-one'], p.rssPeakMiB.worker]
      .map((v) => cell(v) || '–')
      .join(' / ');
    lines.push(
      `| ${p.title} | ${p.throughput} ${p.unit} | ${cell(p.latencyMs?.p50)} | ${cell(p.latencyMs?.p99)} | ${p.errors} | ${cpu} | ${server ? '' : rss} | ${othersCores(p)} |`,
    );
  }
  lines.push('', '| target | want | measured | ratio | met |', '|---|---|---|---|---|');
  for (const t of targets)
    lines.push(`| ${t.target} | ${t.want} | ${t.measured} | ${cell(t.ratio)} | ${metText(t.met)} |`);
  return `${lines.join('\n')}\n`;
}
