import { ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A process the bench started: its pid is what the CPU and RSS sampler attributes to `name`. */
export interface BenchProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  stop(): Promise<void>;
}

const OUTPUT_KEPT = 20_000;

export interface NodeCommand {
  name: string;
  entry: string;
  args?: string[];
  /** The whole environment of the process, apart from PATH. */
  env?: Record<string, string>;
  nodeArgs?: string[];
  cwd: string;
}

/** Starts `node [nodeArgs] entry [args]` with only the given environment (plus PATH), output kept for errors. */
export function startNode({
  name,
  entry,
  args = [],
  env = {},
  nodeArgs = [],
  cwd,
}: NodeCommand): BenchProcess {
  const child = spawn(process.execPath, [...nodeArgs, entry, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-OUTPUT_KEPT));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = true;
      if ((code && code !== 0) || (signal && signal !== 'SIGTERM' && signal !== 'SIGKILL')) {
        console.error(`${name} exited with ${code ?? signal}:\n${output.slice(-4000)}`);
      }
      resolve();
    }),
  );
  if (!child.pid) throw new Error(`${name} did not start`);
  return {
    name,
    child,
    pid: child.pid,
    output: () => output,
    stop: async () => {
      if (exited) return;
      child.kill('SIGTERM');
      const killed = await Promise.race([exit.then(() => true), sleep(5000).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await exit;
      }
    },
  };
}

/** The preload that lets BENCH_PROFILE bracket a phase with a CPU profile (see cpu-profile.hook.ts). */
export const profileHook = (settings: { benchDist: string }): string =>
  path.join(settings.benchDist, 'support', 'cpu-profile.hook.js');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Waits until `url` answers 200 (or a listed status), failing with the process output after `timeoutMs`. */
export async function waitReady(url: string, owner?: BenchProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (owner && owner.child.exitCode !== null) break;
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`not ready: ${url}${owner ? `\n${owner.name}:\n${owner.output().slice(-4000)}` : ''}`);
}

/** Waits for a line of the process output that matches (the standalone fakes announce their port). */
export async function waitForOutput(proc: BenchProcess, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pattern.test(proc.output())) return;
    if (proc.child.exitCode !== null) break;
    await sleep(100);
  }
  throw new Error(`${proc.name} did not print ${pattern}:\n${proc.output().slice(-4000)}`);
}
