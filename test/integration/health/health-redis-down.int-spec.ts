import { startTestApp, TestApp } from '../../setup/test-app';

describe('health with Redis down (wrong port)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Nothing listens on port 1: every Redis command fails, as when Redis is down.
    t = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
  });
  afterAll(() => t.close());

  it('stays live but answers ready with 503 naming Redis', async () => {
    await t.http().get('/v1/health/live').expect(200);
    const res = await t.http().get('/v1/health/ready').expect(503);
    expect(res.body).toMatchObject({
      statusCode: 503,
      code: 'SERVICE_UNAVAILABLE',
      details: { checks: { postgres: 'up', redis: 'down' } },
    });
  });

  it('keeps serving the catalog from Postgres when the cache is unreachable', async () => {
    const res = await t.http().get('/v1/items').expect(200);
    expect(res.body).toMatchObject({ page: 1, limit: 20 });
  });
});
