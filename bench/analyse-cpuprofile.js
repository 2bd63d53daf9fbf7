#!/usr/bin/env node
/**
 * Summarises a V8 .cpuprofile: self time by function and by package (node_modules/<pkg>, src/<module>,
 * node internals, GC, idle). Usage: node bench/analyse-cpuprofile.js FILE [topN] [functionName → its callers]
 * Also used by run-bench.js (summarise()).
 */
const fs = require('node:fs');

function packageOf(url) {
  if (!url) return '(native/vm)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
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

function summarise(profile, top = 30) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fns = new Map();
  const pkgs = new Map();
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id);
    const name = callFrame.functionName || '(anonymous)';
    const special = ['(idle)', '(program)', '(garbage collector)'].includes(name);
    const pkg = special ? name : packageOf(callFrame.url);
    const where = callFrame.url ? `${packageOf(callFrame.url)}:${callFrame.lineNumber + 1}` : pkg;
    const key = special ? name : `${name} ${where}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + us);
  }
  const rank = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), pct: Math.round((1000 * us) / total) / 10 }));
  const idle = (pkgs.get('(idle)') ?? 0) / total;
  return {
    totalMs: Math.round(total / 1000),
    busyPct: Math.round(1000 * (1 - idle)) / 10,
    byFunction: rank(fns),
    byPackage: rank(pkgs),
  };
}

/** Self time of functions named `name`, grouped by their caller chain (depth frames up). */
function callers(profile, name, depth = 8, top = 8) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const stacks = new Map();
  for (const [id, us] of self) {
    if (byId.get(id).callFrame.functionName !== name) continue;
    const chain = [];
    for (let c = parent.get(id); c && chain.length < depth; c = parent.get(c)) {
      const f = byId.get(c).callFrame;
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

module.exports = { summarise, callers };

if (require.main === module) {
  const [file, top, callersOf] = process.argv.slice(2);
  if (callersOf) {
    for (const { ms, stack } of callers(JSON.parse(fs.readFileSync(file, 'utf8')), callersOf))
      console.log(`${ms} ms  ${stack}\n`);
    process.exit(0);
  }
  const result = summarise(JSON.parse(fs.readFileSync(file, 'utf8')), Number(top || 30));
  console.log(`total ${result.totalMs} ms sampled, busy ${result.busyPct}%`);
  console.log('\nself time by package');
  console.table(result.byPackage);
  console.log('\nself time by function');
  console.table(result.byFunction);
}
