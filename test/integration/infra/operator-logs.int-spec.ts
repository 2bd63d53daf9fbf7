import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { PrivateRedis } from '../../chaos/support/private-redis';
import { AppProcess, freePort } from '../../setup/app-process';
import { ensureBuilt } from '../../setup/ensure-built';
import { TEST_ENV } from '../../setup/test-app';
import { TestDatabase, TestRedis } from '../../setup/test-resources';
import { TcpProxy } from '../../setup/tcp-proxy';
import { waitFor } from '../../setup/wait-for';

type LogLine = Record<string, unknown> & { level: number; msg: string };

/** Every line the process wrote, stdout and stderr alike; a line that is not JSON fails the test. */
function lines(app: AppProcess): LogLine[] {
  return `${app.stdout}\n${app.stderr}`
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
}

const bootLines = (app: AppProcess) => lines(app).filter((l) => l.context === 'Bootstrap');
const outageLines = (app: AppProcess, dependency: string) =>
  lines(app).filter((l) => l.context === 'DependencyMonitor' && l.dependency === dependency);

/**
 * What an operator reads (issue 13): Dispatch run as real processes (`node dist/…`) with LOG_PRETTY=false,
 * their whole output checked line by line.
 */
describe('operator logs of real processes', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let documentsDir: string;
  const running: AppProcess[] = [];

  beforeAll(async () => {
    ensureBuilt();
    db = await TestDatabase.create();
    redis = new TestRedis();
    documentsDir = mkdtempSync(path.join(tmpdir(), 'dispatch-docs-'));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.stop('SIGKILL')));
  });
  afterAll(async () => {
    await db.drop();
    await redis.cleanup();
    rmSync(documentsDir, { recursive: true, force: true });
  });

  async function env(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
    return {
      ...TEST_ENV,
      LOG_LEVEL: 'info',
      LOG_PRETTY: 'false',
      DATABASE_URL: db.url,
      ...redis.env(),
      DOCUMENTS_DIR: documentsDir,
      PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      ...overrides,
    };
  }

  function start(entry: string, environment: Record<string, string>): AppProcess {
    const app = AppProcess.start(entry, environment);
    running.push(app);
    return app;
  }

  /** Waits for the process's boot line (or its exit, which fails the wait with its output). */
  async function booted(app: AppProcess): Promise<LogLine> {
    return waitFor(
      async () => {
        if (app.child.exitCode !== null)
          throw new Error(`exited early (${app.child.exitCode}):\n${app.stderr}${app.stdout}`);
        return bootLines(app)[0];
      },
      { what: 'the boot line', timeoutMs: 120_000, intervalMs: 100 },
    );
  }

  it('api: one boot line with the api, /docs, /bull-board and /metrics URLs, and no route mapping at info', async () => {
    const environment = await env();
    const app = start('main.js', environment);
    const line = await booted(app);
    const base = `http://127.0.0.1:${environment.PORT}`;
    expect(line).toMatchObject({
      level: 30,
      role: 'api',
      urls: {
        api: `${base}/v1`,
        docs: `${base}/docs`,
        bullBoard: `${base}/bull-board`,
        metrics: `${base}/metrics`,
      },
    });
    expect(line.msg).toContain(`docs ${base}/docs`);
    // The URLs are where it answers.
    expect((await fetch(`${base}/v1/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/docs/openapi.json`)).status).toBe(200);
    await app.stop();
    expect(bootLines(app)).toHaveLength(1);
    const framework = lines(app).filter((l) =>
      ['RouterExplorer', 'RoutesResolver', 'InstanceLoader'].includes(String(l.context)),
    );
    expect(framework).toEqual([]);
  });

  it('worker: one boot line with its /metrics URL', async () => {
    const environment = await env();
    const app = start('worker.js', environment);
    const line = await booted(app);
    const metrics = `http://127.0.0.1:${environment.METRICS_PORT}/metrics`;
    expect(line).toMatchObject({ level: 30, role: 'worker', urls: { metrics } });
    expect((await fetch(metrics)).status).toBe(200);
    await app.stop();
    expect(bootLines(app)).toHaveLength(1);
    expect(lines(app).every((l) => l.level >= 30)).toBe(true);
  });

  it('all, serving the fakes: one boot line that also lists where the fakes listen', async () => {
    const [stripe, erp, smtp, mailbox] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const environment = await env({
      DEV_SERVE_FAKES: 'true',
      FAKE_STRIPE_PORT: String(stripe),
      FAKE_ERP_PORT: String(erp),
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp),
      SMTP_CAPTURE_API_URL: `http://127.0.0.1:${mailbox}`,
    });
    const app = start('all.js', environment);
    const line = await booted(app);
    expect(line).toMatchObject({
      role: 'all',
      urls: {
        api: `http://127.0.0.1:${environment.PORT}/v1`,
        fakeStripe: `http://127.0.0.1:${stripe}`,
        fakeErp: `http://127.0.0.1:${erp}`,
        smtpCapture: `smtp://127.0.0.1:${smtp}`,
        mailbox: `http://127.0.0.1:${mailbox}`,
      },
    });
    await app.stop();
    expect(bootLines(app)).toHaveLength(1);
  });

  it('a Postgres nobody listens on: exits non-zero with JSON lines, the fatal one naming host and port', async () => {
    const port = await freePort();
    const app = start(
      'main.js',
      await env({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/nothing` }),
    );
    // Only a stuck boot is ended by this limit; the verdict is the exit and the lines.
    const timeout = setTimeout(() => app.child.kill('SIGKILL'), 120_000);
    const exit = await app.exited.finally(() => clearTimeout(timeout));
    expect(exit).toBe(1);
    const fatal = lines(app).filter((l) => l.level === 60);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({
      context: 'Bootstrap',
      dependency: 'postgres',
      target: `127.0.0.1:${port}`,
    });
    expect(fatal[0].msg).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
    expect(bootLines(app).filter((l) => l.level === 30)).toEqual([]);
  });

  it('an invalid environment: exits non-zero with one JSON fatal line listing the problems', async () => {
    const app = start('main.js', await env({ JWT_SECRET: 'too-short' }));
    const timeout = setTimeout(() => app.child.kill('SIGKILL'), 120_000);
    expect(await app.exited.finally(() => clearTimeout(timeout))).toBe(1);
    expect(lines(app)).toEqual([
      expect.objectContaining({ level: 60, problems: ['JWT_SECRET must be at least 32 characters'] }),
    ]);
  });

  /**
   * Takes `dependency` away for a while (`cut`), brings it back (`restore`), and returns the outage lines of
   * `app` once it has logged the recovery and answers ready again.
   */
  async function outage(
    app: AppProcess,
    dependency: string,
    target: string,
    { cut, restore }: { cut: () => Promise<void>; restore: () => Promise<void> },
  ): Promise<LogLine[]> {
    await booted(app);
    await app.waitUntilReady();
    await cut();
    const started = await waitFor(async () => outageLines(app, dependency)[0], {
      what: `the ${dependency} outage warning`,
      timeoutMs: 60_000,
    });
    expect(started).toMatchObject({ level: 40, outage: 'started', target });
    expect(started.msg).toContain(target);
    // Down a while: every connection retries meanwhile, the relay polls, the LISTEN session reconnects.
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    await restore();
    await waitFor(async () => outageLines(app, dependency).find((l) => l.outage === 'recovered'), {
      what: `the ${dependency} recovery line`,
      timeoutMs: 60_000,
    });
    await app.waitUntilReady();
    const notices = outageLines(app, dependency);
    expect(notices.filter((l) => l.outage === 'started')).toHaveLength(1);
    expect(notices.filter((l) => l.outage === 'recovered')).toEqual([
      expect.objectContaining({ level: 30, target }),
    ]);
    return notices;
  }

  describe('a Redis outage while running', () => {
    let privateRedis: PrivateRedis;

    beforeAll(async () => {
      privateRedis = await PrivateRedis.start();
    });
    afterAll(() => privateRedis.destroy());

    it('logs one warning when it starts and one line when it ends, no raw ioredis errors, never a flood', async () => {
      const app = start(
        'all.js',
        await env({ REDIS_URL: privateRedis.url, REDIS_KEY_PREFIX: `${redis.prefix}outage:` }),
      );
      await outage(app, 'redis', `127.0.0.1:${privateRedis.port}`, {
        cut: () => privateRedis.shutdownNoSave(),
        restore: () => privateRedis.up(),
      });
      const all = lines(app);
      expect(all.filter((l) => /redis/i.test(JSON.stringify(l))).length).toBeLessThan(10);
      expect(all.length).toBeLessThan(20);
      expect(app.stderr).not.toContain('Unhandled error event');
      await app.stop();
    });
  });

  describe('a Postgres outage while running', () => {
    let proxy: TcpProxy;

    beforeAll(async () => {
      proxy = await TcpProxy.start(new URL(db.url));
    });
    afterAll(() => proxy.close());

    it('logs one warning when it starts and one line when it ends, never a flood', async () => {
      // The relay polls every 100 ms here, so a line per failed poll would show.
      const app = start('all.js', await env({ DATABASE_URL: proxy.rewrite(db.url), OUTBOX_POLL_MS: '100' }));
      await outage(app, 'postgres', `127.0.0.1:${proxy.port}`, {
        cut: () => proxy.cut(),
        restore: () => proxy.restore(),
      });
      expect(lines(app).length).toBeLessThan(20);
      await app.stop();
    });
  });
});
