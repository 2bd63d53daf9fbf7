import { ChildProcess, spawn } from 'node:child_process';

import Redis from 'ioredis';

import { freePort } from '../../setup/app-process';
import { waitFor } from '../../setup/wait-for';

/** A redis-server of the suite's own (no persistence), so `SHUTDOWN NOSAVE` loses only this suite's data. */
export class PrivateRedis {
  private child?: ChildProcess;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.up();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    this.child = child;
    await waitFor(
      async () => {
        const client = new Redis(this.url, {
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
        try {
          await client.connect();
          return (await client.ping()) === 'PONG';
        } catch {
          return false; // not up yet
        } finally {
          client.disconnect();
        }
      },
      { timeoutMs: 10_000, what: `redis-server on ${this.port}` },
    );
  }

  /** `SHUTDOWN NOSAVE`: the server exits and everything in it is gone. */
  async shutdownNoSave(): Promise<void> {
    const client = new Redis(this.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    const exited = new Promise((resolve) => this.child?.once('exit', resolve));
    await client.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    client.disconnect();
    await exited;
  }

  async keyCount(): Promise<number> {
    const client = new Redis(this.url);
    try {
      return await client.dbsize();
    } finally {
      client.disconnect();
    }
  }

  async destroy(): Promise<void> {
    if (this.child && this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child?.once('exit', resolve));
      this.child.kill('SIGKILL');
      await exited;
    }
  }
}
