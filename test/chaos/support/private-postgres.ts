import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

import { freePort } from '../../setup/app-process';
import { queryOnce } from '../../setup/test-resources';

const PG_ROOT = '/usr/lib/postgresql';

/**
 * A PostgreSQL server of the suite's own (initdb into a temp dir, its own port), so the suite can stop and
 * start it mid-traffic without touching the server other suites share. As root, the server runs as the
 * `postgres` user, because postgres refuses to run as root.
 */
export class PrivatePostgres {
  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const version = readdirSync(PG_ROOT).sort((a, b) => Number(b) - Number(a))[0];
    const bin = path.join(PG_ROOT, version, 'bin');
    const dir = mkdtempSync(path.join(tmpdir(), 'dispatch-chaos-pg-'));
    if (userInfo().uid === 0)
      chownSync(dir, Number(run('id', ['-u', 'postgres'])), Number(run('id', ['-g', 'postgres'])));
    const server = new PrivatePostgres(bin, dir, await freePort());
    server.asOwner('initdb', ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await server.up();
    return server;
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async createDatabase(name: string): Promise<string> {
    await queryOnce(this.url(), `CREATE DATABASE ${name}`);
    return this.url(name);
  }

  /** Stops like a crash (`immediate`: no checkpoint, clients cut off) or politely (`fast`). */
  down(mode: 'immediate' | 'fast' = 'immediate'): void {
    this.asOwner('pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', mode, '-w', 'stop']);
  }

  async up(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
    this.asOwner('pg_ctl', [
      '-D',
      path.join(this.dir, 'data'),
      '-l',
      path.join(this.dir, 'log'),
      '-o',
      options,
      '-w',
      'start',
    ]);
  }

  async destroy(): Promise<void> {
    try {
      this.down('immediate');
    } catch {
      // already down
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private asOwner(tool: string, args: string[]): string {
    const binary = path.join(this.bin, tool);
    return userInfo().uid === 0
      ? run('runuser', ['-u', 'postgres', '--', binary, ...args])
      : run(binary, args);
  }
}

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}
