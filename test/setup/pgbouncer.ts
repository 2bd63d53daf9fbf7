import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Client } from 'pg';

import { freePort } from './app-process';
import { waitFor } from './wait-for';

const HOST = '127.0.0.1';
const INSTALL_HINT =
  'apt-get install -y pgbouncer (./install.sh test installs it when it runs as root with apt)';

/** Debian installs pgbouncer in /usr/sbin, which a non-root PATH often lacks. */
function pgbouncerBinary(): string {
  for (const candidate of ['pgbouncer', '/usr/sbin/pgbouncer', '/usr/local/sbin/pgbouncer']) {
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (!probe.error && probe.status === 0) return candidate;
  }
  throw new Error(`pgbouncer is not installed: the PgBouncer tests run their own pooler. ${INSTALL_HINT}`);
}

/** PgBouncer refuses to run as root; as root it is told to switch to the postgres user after startup. */
function unixUser(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  if (spawnSync('id', ['-u', 'postgres']).status !== 0)
    throw new Error('running as root, PgBouncer must switch to an unprivileged user: create a postgres user');
  return 'postgres';
}

/** A value for pgbouncer.ini's libpq-style connection strings. */
const quoted = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Stopped if the test process exits without stop(). */
const running = new Set<TestPgBouncer>();
process.once('exit', () => {
  for (const bouncer of running) bouncer.killSync();
});

/**
 * Debian's `pgbouncer` as a child process for one test file: transaction pooling, a free loopback port, a
 * generated ini and userlist in a temp dir (auth_type trust, like the local Postgres), a small server pool so
 * that client transactions really share server connections, and the given databases pointing at the suite's
 * Postgres. `stop()` ends it and removes the temp dir. It never touches a system pgbouncer service.
 */
export class TestPgBouncer {
  private output = '';
  private readonly exited: Promise<void>;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output = (this.output + chunk).slice(-20_000)));
    child.stderr!.on('data', (chunk: Buffer) => (this.output = (this.output + chunk).slice(-20_000)));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /**
   * @param upstreamUrl the Postgres server (any database; its host, port and credentials are used)
   * @param databases the database names the pooler serves
   */
  static async start(options: {
    upstreamUrl: string;
    databases: string[];
    poolSize?: number;
  }): Promise<TestPgBouncer> {
    const binary = pgbouncerBinary();
    const user = unixUser();
    const upstream = new URL(options.upstreamUrl);
    const login = decodeURIComponent(upstream.username) || 'postgres';
    const password = decodeURIComponent(upstream.password);
    const port = await freePort();
    const dir = mkdtempSync(path.join(tmpdir(), 'dispatch-pgbouncer-'));
    // pgbouncer reads its files again after switching to `user`.
    if (user) chmodSync(dir, 0o755);
    const server = [
      `host=${upstream.hostname.replace(/^\[|\]$/g, '')}`,
      `port=${upstream.port || 5432}`,
      `user=${quoted(login)}`,
      ...(password ? [`password=${quoted(password)}`] : []),
    ].join(' ');
    const ini = [
      '[databases]',
      ...options.databases.map((db) => `${db} = ${server} dbname=${db}`),
      '',
      '[pgbouncer]',
      `listen_addr = ${HOST}`,
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${path.join(dir, 'userlist.txt')}`,
      `admin_users = ${login}`,
      'pool_mode = transaction',
      `default_pool_size = ${options.poolSize ?? 3}`,
      'max_client_conn = 500',
      // Empty on purpose: a client that sends startup parameters PgBouncer cannot carry is refused.
      'ignore_startup_parameters =',
      ...(user ? [`user = ${user}`] : []),
      '',
    ].join('\n');
    writeFileSync(path.join(dir, 'pgbouncer.ini'), ini, { mode: 0o644 });
    writeFileSync(path.join(dir, 'userlist.txt'), `"${login}" ""\n`, { mode: 0o644 });
    const child = spawn(binary, [path.join(dir, 'pgbouncer.ini')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const bouncer = new TestPgBouncer(port, dir, child);
    running.add(bouncer);
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null)
            throw new Error(`pgbouncer exited (${child.exitCode}):\n${bouncer.output}`);
          return bouncer.admin('SHOW VERSION').then(
            () => true,
            () => false,
          );
        },
        { timeoutMs: 15_000, intervalMs: 100, what: `pgbouncer on port ${port}` },
      );
      return bouncer;
    } catch (error) {
      await bouncer.stop();
      throw error;
    }
  }

  /** A connection URL through the pooler to `database`. */
  url(database: string, user = 'postgres'): string {
    return `postgres://${user}@${HOST}:${this.port}/${database}`;
  }

  /** Runs a command on PgBouncer's admin console (simple protocol only, as the console requires). */
  async admin<T = Record<string, string>>(command: string): Promise<T[]> {
    const client = new Client({ connectionString: this.url('pgbouncer') });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query(command)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /** What PgBouncer printed (its log goes to stderr). */
  log(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    running.delete(this);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      await this.exited;
    }
    if (existsSync(this.dir)) rmSync(this.dir, { recursive: true, force: true });
  }

  /** For the exit hook: no awaiting possible there. */
  killSync(): void {
    this.child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
