import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { ProfileSummary, summarise } from '../analyse-cpuprofile';
import { BenchDatabase } from './database';
import { DispatchStack } from './dispatch-stack';
import { PgStats, PgUse } from './pg-stats';
import { ProcSampler, WindowResult } from './proc-sampler';
import { BenchProcess } from './processes';
import { Seed } from './seed';
import { PhaseName, Settings } from './settings';
import { round } from './stats';

/** What one measured phase (or part of one) reports. */
export interface PhaseReport {
  id: string;
  title: string;
  /** 'req/s', 'tx/s' or 'orders/s'. */
  unit: string;
  throughput: number | null;
  latencyMs: { p50: number | null; p99: number | null } | null;
  errors: number;
  /** Requests, transactions or orders: what CPU time and database work are divided by. */
  units: number;
  cpuMsPerUnit: Record<string, number>;
  cpuSeconds: Record<string, number>;
  rssPeakMiB: Record<string, number>;
  machine: WindowResult['machine'] & { seconds: number };
  pg: PgUse | null;
  details: Record<string, unknown>;
}

export interface BenchContext {
  settings: Settings;
  stamp: string;
  sampler: ProcSampler;
  db: BenchDatabase;
  pgStats: PgStats;
  stack: DispatchStack;
  seed: Seed;
  reports: Map<string, PhaseReport>;
  /** Where BENCH_PROFILE's profile of a phase is written. */
  profileFile: string;
}

export interface Measured<T> {
  result: T;
  usage: WindowResult;
  pg: PgUse | null;
  profile: (ProfileSummary & { file: string }) | null;
}

/**
 * Runs `work` inside a CPU/RSS window (and, with `pg`, between two database statistics snapshots), profiling
 * `profileTarget` when BENCH_PROFILE names this phase. `units` counts what the phase's costs are divided by.
 */
export async function measure<T>(
  ctx: BenchContext,
  phase: PhaseName,
  options: {
    pg?: boolean;
    profileTarget?: BenchProcess;
    units: (result: T) => number;
    /** What database work is divided by, when not `units` (read after the closing settle). */
    pgUnits?: (result: T) => Promise<number>;
  },
  work: () => Promise<T>,
): Promise<Measured<T>> {
  const profiling = ctx.settings.profile === phase && options.profileTarget;
  // Settled first, so that what earlier work has not reported yet is not counted here.
  if (options.pg) await ctx.pgStats.settle();
  const pgBefore = options.pg ? await ctx.pgStats.snapshot() : null;
  if (profiling) options.profileTarget?.child.kill('SIGWINCH');
  const window = ctx.sampler.begin();
  const result = await work();
  const usage = window.end();
  if (profiling) options.profileTarget?.child.kill('SIGWINCH');
  let pg: PgUse | null = null;
  if (pgBefore) {
    await ctx.pgStats.settle();
    const units = options.pgUnits ? await options.pgUnits(result) : options.units(result);
    pg = ctx.pgStats.diff(pgBefore, await ctx.pgStats.snapshot(), units);
  }
  return { result, usage, pg, profile: profiling ? await readProfile(ctx.profileFile) : null };
}

async function readProfile(file: string): Promise<(ProfileSummary & { file: string }) | null> {
  for (let i = 0; i < 50 && !fs.existsSync(file); i++) await sleep(200);
  if (!fs.existsSync(file)) return null;
  await sleep(500); // written in one call, but give a large profile time to land
  return {
    file: path.relative(process.cwd(), file),
    ...summarise(JSON.parse(fs.readFileSync(file, 'utf8')), 25),
  };
}

/** The report of a phase from what it measured. */
export function phaseReport(
  base: Pick<PhaseReport, 'id' | 'title' | 'unit' | 'throughput' | 'latencyMs' | 'errors'> & {
    details?: Record<string, unknown>;
  },
  measured: Measured<unknown>,
  units: number,
): PhaseReport {
  const { usage, pg, profile } = measured;
  return {
    ...base,
    units,
    // Nothing done, nothing to divide by: the CPU seconds are still reported.
    cpuMsPerUnit:
      units > 0
        ? Object.fromEntries(
            Object.entries(usage.cpuSeconds).map(([g, s]) => [g, round((1000 * s) / units, 2)]),
          )
        : {},
    cpuSeconds: usage.cpuSeconds,
    rssPeakMiB: usage.rssPeakMiB,
    machine: { ...usage.machine, seconds: usage.seconds },
    pg,
    details: { ...base.details, ...(profile ? { cpuProfile: profile } : {}) },
  };
}
