import { InvalidConfigError, loadConfig } from './load-config';

const valid = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/dispatch',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
  JWT_SECRET: 'x'.repeat(32),
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof InvalidConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe(loadConfig.name, () => {
  it('builds a typed config with defaults from the minimal environment', () => {
    const sut = loadConfig(valid);
    expect(sut).toMatchObject({
      env: 'development',
      http: { host: '0.0.0.0', port: 3000, bodyLimitBytes: 65536, trustProxy: false, corsOrigins: [] },
      db: { url: valid.DATABASE_URL, listenUrl: valid.DATABASE_URL, poolSize: 10, runMigrations: true },
      redis: { server: { kind: 'standalone', url: valid.REDIS_URL }, keyPrefix: 'dispatch:' },
      auth: { accessTtlSeconds: 900, refreshTtlDays: 30 },
      stripe: { mode: 'fake', apiUrl: 'http://127.0.0.1:12111' },
      erp: { mode: 'fake', url: 'http://127.0.0.1:12112' },
      log: { pretty: true, level: 'info' },
      // Fakes asked for: the development tooling is loaded, and in development this process serves them.
      dev: {
        enabled: true,
        serveFakes: true,
        stripe: { port: 12111 },
        erp: { port: 12112 },
        smtpCapture: { apiUrl: 'http://127.0.0.1:2526' },
        seed: { enabled: false },
        failpoints: {},
      },
    });
  });

  it('loads no development tooling for a production-like configuration', () => {
    const sut = loadConfig({
      ...valid,
      NODE_ENV: 'test',
      STRIPE_MODE: 'live',
      STRIPE_SECRET_KEY: 'sk_live_x',
      STRIPE_WEBHOOK_SECRET: 'whsec_x',
      ERP_MODE: 'http',
      ERP_URL: 'https://erp.example.com',
      ERP_PASSWORD: 'secret',
      SMTP_CAPTURE: 'false',
    });
    expect(sut.dev).toMatchObject({
      enabled: false,
      serveFakes: false,
      stripe: null,
      erp: null,
      smtpCapture: null,
    });
    expect(sut.stripe.apiUrl).toBeUndefined();
    expect(problemsOf({ ...valid, NODE_ENV: 'production', DEV_SERVE_FAKES: 'true' })).toContain(
      'DEV_SERVE_FAKES must not be true in production',
    );
  });

  it('coerces numbers and booleans', () => {
    const sut = loadConfig({
      ...valid,
      PORT: '8080',
      SEED_TEST_DATA: 'false',
      LOG_PRETTY: '0',
      CORS_ORIGINS: 'https://a.com, https://b.com',
    });
    expect(sut.http.port).toBe(8080);
    expect(sut.log.pretty).toBe(false);
    expect(sut.http.corsOrigins).toEqual(['https://a.com', 'https://b.com']);
  });

  it('names every missing variable at once', () => {
    const problems = problemsOf({});
    expect(problems).toEqual(
      expect.arrayContaining([
        'DATABASE_URL is required',
        'REDIS_URL is required (or REDIS_CLUSTER_NODES for a Redis Cluster)',
        'JWT_SECRET is required',
      ]),
    );
  });

  it('treats empty values as missing', () => {
    expect(problemsOf({ ...valid, JWT_SECRET: '' })).toEqual(['JWT_SECRET is required']);
  });

  it('names every malformed variable', () => {
    const problems = problemsOf({
      ...valid,
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      REDIS_URL: 'not a url',
      JWT_SECRET: 'short',
      NODE_ENV: 'staging',
      LOG_LEVEL: 'loud',
      SEED_TEST_DATA: 'yes',
      RATE_LIMIT_MAX: '0',
    });
    const names = problems.map((p) => p.split(' ')[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        'PORT',
        'DATABASE_URL',
        'REDIS_URL',
        'JWT_SECRET',
        'NODE_ENV',
        'LOG_LEVEL',
        'SEED_TEST_DATA',
        'RATE_LIMIT_MAX',
      ]),
    );
    expect(problems.find((p) => p.startsWith('JWT_SECRET'))).toContain('at least 32');
  });

  it('the error message lists each problem on its own line', () => {
    expect(() => loadConfig({})).toThrow(
      /Invalid environment configuration:\n {2}- DATABASE_URL is required/,
    );
  });

  it('parses chaos failpoints, rejects malformed ones and refuses them in production', () => {
    expect(
      loadConfig({ ...valid, FAILPOINTS: 'place-order.committed=3,relay.enqueued=1' }).dev.failpoints,
    ).toEqual({
      'place-order.committed': 3,
      'relay.enqueued': 1,
    });
    expect(loadConfig(valid).dev.failpoints).toEqual({});
    expect(problemsOf({ ...valid, FAILPOINTS: 'relay.enqueued=0' })[0]).toMatch(/^FAILPOINTS must look like/);
    expect(problemsOf({ ...valid, NODE_ENV: 'production', FAILPOINTS: 'relay.enqueued=1' })).toContain(
      'FAILPOINTS must not be set in production',
    );
  });

  it('refuses seeding in production and demands real Stripe keys there', () => {
    const problems = problemsOf({
      ...valid,
      NODE_ENV: 'production',
      SEED_TEST_DATA: 'true',
      SEED_ADMIN_EMAIL: 'a@b.co',
      SEED_ADMIN_PASSWORD: 'long-enough-password',
      STRIPE_MODE: 'live',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'SEED_TEST_DATA must not be true in production',
        'STRIPE_SECRET_KEY is required when STRIPE_MODE=live',
        'STRIPE_WEBHOOK_SECRET is required when STRIPE_MODE=live',
      ]),
    );
    expect(problemsOf({ ...valid, NODE_ENV: 'production' })).toContain(
      'STRIPE_MODE must be live in production',
    );
  });

  it('reports cross-variable rules together with every other problem', () => {
    const problems = problemsOf({ NODE_ENV: 'production', STRIPE_MODE: 'live', SEED_TEST_DATA: 'true' });
    expect(problems).toEqual(
      expect.arrayContaining([
        'DATABASE_URL is required',
        'JWT_SECRET is required',
        'SEED_TEST_DATA must not be true in production',
        'STRIPE_SECRET_KEY is required when STRIPE_MODE=live',
      ]),
    );
  });

  it('needs seed credentials when seeding', () => {
    expect(problemsOf({ ...valid, SEED_TEST_DATA: 'true' })).toEqual([
      'SEED_ADMIN_EMAIL is required when SEED_TEST_DATA=true',
      'SEED_ADMIN_PASSWORD is required when SEED_TEST_DATA=true',
    ]);
  });

  it('validates the Redis key prefix so tests and tenants cannot collide through odd characters', () => {
    expect(problemsOf({ ...valid, REDIS_KEY_PREFIX: 'has space' })[0]).toMatch(/^REDIS_KEY_PREFIX/);
  });

  it('takes the relay LISTEN connection from DATABASE_LISTEN_URL, else DATABASE_URL', () => {
    const direct = 'postgres://postgres@10.0.0.5:5432/dispatch';
    const pooled = { ...valid, DATABASE_URL: 'postgres://postgres@10.0.0.9:6432/dispatch' };
    expect(loadConfig({ ...pooled, DATABASE_LISTEN_URL: direct }).db).toMatchObject({
      url: pooled.DATABASE_URL,
      listenUrl: direct,
    });
    expect(loadConfig(pooled).db.listenUrl).toBe(pooled.DATABASE_URL);
    expect(problemsOf({ ...valid, DATABASE_LISTEN_URL: 'redis://x:1' })[0]).toMatch(/^DATABASE_LISTEN_URL/);
  });

  describe('REDIS_CLUSTER_NODES', () => {
    it('wins over REDIS_URL and needs no REDIS_URL', () => {
      const nodes = '127.0.0.1:7000, 127.0.0.1:7001,[::1]:7002,redis-a.internal:6379';
      const expected = {
        kind: 'cluster',
        nodes: [
          { host: '127.0.0.1', port: 7000 },
          { host: '127.0.0.1', port: 7001 },
          { host: '::1', port: 7002 },
          { host: 'redis-a.internal', port: 6379 },
        ],
        tls: false,
      };
      expect(loadConfig({ ...valid, REDIS_CLUSTER_NODES: nodes }).redis.server).toEqual(expected);
      const { REDIS_URL: _unused, ...withoutUrl } = valid;
      expect(loadConfig({ ...withoutUrl, REDIS_CLUSTER_NODES: nodes }).redis.server).toEqual(expected);
    });

    it('takes credentials and TLS from URL entries, which must agree', () => {
      const sut = loadConfig({
        ...valid,
        REDIS_CLUSTER_NODES: 'rediss://app:s%40cret@a.internal:6380,rediss://app:s%40cret@b.internal:6380',
      });
      expect(sut.redis.server).toEqual({
        kind: 'cluster',
        nodes: [
          { host: 'a.internal', port: 6380 },
          { host: 'b.internal', port: 6380 },
        ],
        username: 'app',
        password: 's@cret',
        tls: true,
      });
      expect(problemsOf({ ...valid, REDIS_CLUSTER_NODES: 'rediss://app:x@a:6380,b:6380' })[0]).toBe(
        'REDIS_CLUSTER_NODES mixes entries with different schemes or credentials',
      );
    });

    it('names malformed entries', () => {
      for (const [value, message] of [
        ['127.0.0.1', 'without host and port'],
        ['127.0.0.1:7000,:7001', 'malformed entry ":7001"'],
        ['redis://127.0.0.1:7000/2', 'naming a database'],
        ['http://127.0.0.1:7000', 'neither host:port nor'],
        [' , ', 'must list at least one host:port'],
      ]) {
        const [problem] = problemsOf({ ...valid, REDIS_CLUSTER_NODES: value });
        expect(problem).toMatch(/^REDIS_CLUSTER_NODES /);
        expect(problem).toContain(message);
      }
    });
  });
});
