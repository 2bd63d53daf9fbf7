import { bearer, createUser } from '../../factories/user.factory';
import { startTestApp, TestApp } from '../../setup/test-app';

describe('rate limiting (Redis-backed, per IP and per user)', () => {
  let t: TestApp;
  let ipCounter = 0;
  const freshIp = () => `10.0.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

  beforeAll(async () => {
    t = await startTestApp({
      TRUST_PROXY: 'true',
      RATE_LIMIT_MAX: '5',
      AUTH_RATE_LIMIT_MAX: '3',
      // Long enough for four argon2-checked logins on a loaded 2-core machine (at 1.5 s the window could lapse
      // before the fourth, which then started a new one and was answered 401).
      RATE_LIMIT_WINDOW_MS: '6000',
    });
  });
  afterAll(() => t.close());

  const login = (ip: string) =>
    t
      .http()
      .post('/v1/auth/login')
      .set('X-Forwarded-For', ip)
      .send({ email: 'rate@example.com', password: 'whatever-pass' });

  it('answers 429 with Retry-After past the auth limit for one IP, and recovers after the window', async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await login(ip)).status);
    expect(statuses).toEqual([401, 401, 401]);
    const limited = await login(ip).expect(429);
    expect(limited.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    // Another IP is unaffected.
    expect((await login(freshIp())).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
    expect((await login(ip)).status).toBe(401);
  });

  it('counts an authenticated user across IPs, separately from other users', async () => {
    const alice = await createUser(t, { headers: { 'X-Forwarded-For': freshIp() } });
    const bob = await createUser(t, { headers: { 'X-Forwarded-For': freshIp() } });
    for (let i = 0; i < 5; i++) {
      await t.http().get('/v1/users/me').set(bearer(alice)).set('X-Forwarded-For', freshIp()).expect(200);
    }
    const limited = await t
      .http()
      .get('/v1/users/me')
      .set(bearer(alice))
      .set('X-Forwarded-For', freshIp())
      .expect(429);
    expect(limited.headers['retry-after']).toBeDefined();
    await t.http().get('/v1/users/me').set(bearer(bob)).set('X-Forwarded-For', freshIp()).expect(200);
  });
});
