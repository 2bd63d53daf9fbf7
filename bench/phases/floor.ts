import path from 'node:path';

import { BenchContext, measure, phaseReport, PhaseReport } from '../support/context';
import { runLoad } from '../support/load';
import { freePort, profileHook, startNode, waitForOutput } from '../support/processes';

const SERVERS = {
  'floor-fastify': {
    title: 'floor: bare Fastify hello',
    entry: 'bare-fastify.server.js',
    name: 'bare fastify',
  },
  'floor-nest': {
    title: 'floor: bare Nest + Fastify hello',
    entry: 'bare-nest.server.js',
    name: 'bare nest',
  },
} as const;

/**
 * The floor of the HTTP phases: a hello route in its own process, with the same load generator, connections and
 * duration as the Dispatch GET phases.
 */
export async function floor(ctx: BenchContext, phase: keyof typeof SERVERS): Promise<PhaseReport> {
  const { settings } = ctx;
  const server = SERVERS[phase];
  const port = await freePort();
  const profiled = settings.profile === phase;
  const proc = startNode({
    name: server.name,
    entry: path.join(settings.benchDist, 'floors', server.entry),
    args: [String(port)],
    env: profiled ? { BENCH_PROFILE_FILE: ctx.profileFile } : {},
    nodeArgs: [...settings.apiNodeArgs, ...(profiled ? ['-r', profileHook(settings)] : [])],
    cwd: settings.root,
  });
  ctx.sampler.track(proc);
  try {
    await waitForOutput(proc, /listening on/);
    const url = `http://127.0.0.1:${port}/`;
    await runLoad({ url, connections: settings.connections, duration: settings.durations.warmupSeconds });
    const measured = await measure(ctx, phase, { profileTarget: proc, units: (r) => r.responses }, () =>
      runLoad({ url, connections: settings.connections, duration: settings.durations.httpSeconds }),
    );
    const r = measured.result;
    return phaseReport(
      {
        id: phase,
        title: server.title,
        unit: 'req/s',
        throughput: r.perSecond,
        latencyMs: r.latencyMs,
        errors: r.errors,
        details: { load: r, process: server.name },
      },
      measured,
      r.responses,
    );
  } finally {
    await proc.stop();
  }
}
