/**
 * Summarises a V8 .cpuprofile: self time by function and by package (node_modules/<pkg>, app:<dir>, node
 * internals, GC, idle). The bench attaches the summary of a BENCH_PROFILE run to its report; by hand:
 *   node dist-bench/bench/analyse-cpuprofile.js FILE [topN] [functionName → its callers]
 */
import fs from 'node:fs';

import { round } from './support/stats';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Ranked {
  name: string;
  ms: number;
  pct: number;
}

export interface ProfileSummary {
  totalMs: number;
  busyPct: number;
  byFunction: Ranked[];
  byPackage: Ranked[];
}

const SPECIAL = ['(idle)', '(program)', '(garbage collector)'];

function packageOf(url: string): string {
  if (!url) return '(native/vm)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0)
    return `app:${url
      .slice(dist + 6)
      .split('/')
      .slice(0, 2)
      .join('/')}`;
  return url.replace(/^file:\/\//, '');
}

function selfTimes(profile: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  return self;
}

export function summarise(profile: CpuProfile, top = 30): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = selfTimes(profile);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fns = new Map<string, number>();
  const pkgs = new Map<string, number>();
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id)!;
    const name = callFrame.functionName || '(anonymous)';
    const special = SPECIAL.includes(name);
    const pkg = special ? name : packageOf(callFrame.url);
    const key = special ? name : `${name} ${callFrame.url ? `${pkg}:${callFrame.lineNumber + 1}` : pkg}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + us);
  }
  const rank = (m: Map<string, number>): Ranked[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), pct: round((100 * us) / total, 1) }));
  const idle = (pkgs.get('(idle)') ?? 0) / total;
  return {
    totalMs: Math.round(total / 1000),
    busyPct: round(100 * (1 - idle), 1),
    byFunction: rank(fns),
    byPackage: rank(pkgs),
  };
}

/** Self time of the functions called `name`, grouped by their caller chain (`depth` frames up). */
export function callers(
  profile: CpuProfile,
  name: string,
  depth = 8,
  top = 8,
): { ms: number; stack: string }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stacks = new Map<string, number>();
  for (const [id, us] of selfTimes(profile)) {
    if (byId.get(id)!.callFrame.functionName !== name) continue;
    const chain: string[] = [];
    for (let c = parent.get(id); c !== undefined && chain.length < depth; c = parent.get(c)) {
      const f = byId.get(c)!.callFrame;
      chain.push(`${f.functionName || '(anonymous)'}@${packageOf(f.url)}:${f.lineNumber + 1}`);
    }
    const key = chain.join(' <- ');
    stacks.set(key, (stacks.get(key) ?? 0) + us);
  }
  return [...stacks]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([stack, us]) => ({ ms: Math.round(us / 1000), stack }));
}

if (require.main === module) {
  const [file, top, callersOf] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist-bench/bench/analyse-cpuprofile.js FILE [topN] [functionName]');
    process.exit(2);
  }
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  if (callersOf) {
    for (const { ms, stack } of callers(profile, callersOf)) console.log(`${ms} ms  ${stack}\n`);
  } else {
    const result = summarise(profile, Number(top || 30));
    console.log(`total ${result.totalMs} ms sampled, busy ${result.busyPct}%`);
    console.log('\nself time by package');
    console.table(result.byPackage);
    console.log('\nself time by function');
    console.table(result.byFunction);
  }
}
