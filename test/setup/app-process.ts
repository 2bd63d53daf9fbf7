import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A Dispatch process started from dist/ exactly as `npm run start` does, with its output collected. */
export class AppProcess {
  stdout = '';
  stderr = '';
  /** Resolves with the exit code, or the signal name when the process was ended by a signal. */
  readonly exited: Promise<number | NodeJS.Signals | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly baseUrl: string,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  }

  /** Starts `node dist/<entry>` with only the given environment (no .env.local). */
  static start(entry: string, env: Record<string, string>): AppProcess {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', entry)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ENV_FILE: '/nonexistent/.env', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new AppProcess(child, `http://127.0.0.1:${env.PORT ?? 3000}`);
  }

  async waitUntilReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null)
        throw new Error(`app exited early (${this.child.exitCode}):\n${this.stderr}${this.stdout}`);
      try {
        const res = await fetch(`${this.baseUrl}/v1/health/ready`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`app not ready after ${timeoutMs} ms:\n${this.stderr}${this.stdout}`);
  }

  /** Parsed JSON log lines written so far. */
  logLines(): Record<string, unknown>[] {
    return this.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | NodeJS.Signals | null> {
    if (this.child.exitCode === null) this.child.kill(signal);
    return this.exited;
  }
}
