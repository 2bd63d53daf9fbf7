import fs from 'node:fs';

import { BenchProcess } from './processes';
import { round } from './stats';

/** USER_HZ: /proc reports CPU time in these ticks on Linux. */
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;
const MIB = 2 ** 20;

/** Postgres background processes: they work for every database, mostly for the one being written to. */
const PG_BACKGROUND =
  /^postgres: [^:]+: (checkpointer|background writer|walwriter|autovacuum launcher|logical replication launcher|archiver|startup)/;
/** A client backend's title: `postgres: 15/main: <user> <database> <host(port)|[local]> <state>`. */
const PG_CLUSTER = /^postgres: ([^:]+):/;
const PG_BACKEND = /^postgres: [^:]+: (\S+) (\S+)/;
const PG_AUTOVACUUM = /^postgres: [^:]+: autovacuum worker (\S+)/;

interface ProcessSample {
  group: string;
  cpuTicks: number;
  rssBytes: number;
}

export interface WindowResult {
  seconds: number;
  /** CPU seconds (user + system) per process group during the window. */
  cpuSeconds: Record<string, number>;
  /** Peak RSS (MiB) of each process the bench started. */
  rssPeakMiB: Record<string, number>;
  /** Whole machine, from /proc/stat: busy share of all cores, and busy time no sampled process accounts for. */
  machine: { busyPct: number; busyCpuSeconds: number; unaccountedCpuSeconds: number };
}

interface MachineTicks {
  total: number;
  idle: number;
}

class Window {
  readonly startedAt = Date.now();
  readonly last = new Map<string, ProcessSample>();
  readonly rssPeak = new Map<string, number>();
  constructor(
    readonly baseline: Map<string, number>,
    readonly machineStart: MachineTicks,
  ) {}
}

/**
 * CPU time and RSS per process group, from /proc: the processes the bench started (api, worker, fakes, floor
 * servers) by pid, this bench process ('bench client': autocannon and the scripted clients), pgbench, the
 * Postgres backends of the bench database plus the background processes of its cluster ('postgres'), the
 * backends of other databases and other clusters ('postgres (other dbs)': other people's tests), redis-server
 * ('redis', shared with whoever else uses it), kernel threads ('kernel') and the rest ('other'). /proc is read
 * every `intervalMs`: a process that exits within a
 * window is counted up to its last sample, so backends that come and go (pgbench's) are not lost.
 */
export class ProcSampler {
  private readonly named = new Map<number, string>();
  private readonly cachedGroup = new Map<string, string>();
  private readonly windows = new Set<Window>();
  private readonly timer: NodeJS.Timeout;
  private postgres = { database: '', cluster: '', dataDirectory: '' };

  constructor(intervalMs: number) {
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  /**
   * Backends of the bench database and the background processes of its cluster are Postgres's work for the
   * bench; another cluster on the machine (or another database) is someone else's.
   */
  setPostgres(postgres: { database: string; cluster: string; dataDirectory: string }): void {
    this.postgres = postgres;
    this.cachedGroup.clear();
  }

  track(proc: BenchProcess): void {
    this.named.set(proc.pid, proc.name);
  }

  begin(): { end(): WindowResult } {
    const baseline = new Map<string, number>();
    for (const [key, sample] of this.scan()) baseline.set(key, sample.cpuTicks);
    const window = new Window(baseline, machineTicks());
    this.windows.add(window);
    return { end: () => this.end(window) };
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private end(window: Window): WindowResult {
    this.tick();
    this.windows.delete(window);
    const cpu: Record<string, number> = {};
    for (const [key, sample] of window.last) {
      const ticks = sample.cpuTicks - (window.baseline.get(key) ?? 0);
      cpu[sample.group] = (cpu[sample.group] ?? 0) + Math.max(0, ticks) / TICKS_PER_SECOND;
    }
    const machineEnd = machineTicks();
    const total = machineEnd.total - window.machineStart.total;
    const busyTicks = total - (machineEnd.idle - window.machineStart.idle);
    const accounted = Object.values(cpu).reduce((a, b) => a + b, 0);
    return {
      seconds: round((Date.now() - window.startedAt) / 1000, 2),
      cpuSeconds: Object.fromEntries(Object.entries(cpu).map(([g, s]) => [g, round(s, 2)])),
      rssPeakMiB: Object.fromEntries([...window.rssPeak].map(([g, b]) => [g, Math.round(b / MIB)])),
      machine: {
        busyPct: total > 0 ? round((100 * busyTicks) / total, 1) : 0,
        busyCpuSeconds: round(busyTicks / TICKS_PER_SECOND, 2),
        unaccountedCpuSeconds: round(Math.max(0, busyTicks / TICKS_PER_SECOND - accounted), 2),
      },
    };
  }

  private tick(): void {
    if (this.windows.size === 0) return;
    const samples = this.scan();
    for (const window of this.windows) {
      for (const [key, sample] of samples) {
        window.last.set(key, sample);
        if (this.named.has(Number(key.split(':')[0]))) {
          window.rssPeak.set(sample.group, Math.max(window.rssPeak.get(sample.group) ?? 0, sample.rssBytes));
        }
      }
    }
  }

  private scan(): Map<string, ProcessSample> {
    const samples = new Map<string, ProcessSample>();
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      let stat: string;
      try {
        stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue; // exited
      }
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      // Fields after "(comm) ": state [0], ppid [1], utime [11], stime [12], starttime [19], rss pages [21].
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const key = `${pid}:${fields[19]}`;
      // Kernel threads (children of kthreadd, pid 2) do the machine's share of the load: softirqs of the
      // loopback traffic, writeback. Not someone else's work.
      const group = pid === 2 || fields[1] === '2' ? 'kernel' : this.groupOf(pid, comm, key);
      if (group === null) continue;
      samples.set(key, {
        group,
        cpuTicks: Number(fields[11]) + Number(fields[12]),
        rssBytes: Number(fields[21]) * PAGE_BYTES,
      });
    }
    return samples;
  }

  private groupOf(pid: number, comm: string, key: string): string | null {
    const named = this.named.get(pid);
    if (named) return named;
    if (pid === process.pid) return 'bench client';
    const cached = this.cachedGroup.get(key);
    if (cached) return cached;
    if (comm === 'pgbench') return 'pgbench';
    if (comm.startsWith('redis-server')) return 'redis';
    if (comm !== 'postgres') return 'other';
    let title: string;
    try {
      title = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      return null;
    }
    const ours = 'postgres';
    const theirs = 'postgres (other dbs)';
    // The postmaster (its command line, not a title), or a child that has not set its title yet.
    if (!title.startsWith('postgres:')) return title.includes(this.postgres.dataDirectory) ? ours : theirs;
    const cluster = PG_CLUSTER.exec(title)?.[1];
    if (cluster !== this.postgres.cluster) return theirs;
    if (PG_BACKGROUND.test(title)) return ours;
    const autovacuum = PG_AUTOVACUUM.exec(title);
    const backend = PG_BACKEND.exec(title);
    if (!autovacuum && !backend) return ours;
    // A backend's database does not change: remember it.
    const database = autovacuum?.[1] ?? backend?.[2];
    const group = database === this.postgres.database ? ours : theirs;
    this.cachedGroup.set(key, group);
    return group;
  }
}

function machineTicks(): MachineTicks {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user)
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return { total: f.reduce((a, b) => a + b, 0), idle: f[3] + f[4] };
}
