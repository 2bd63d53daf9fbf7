import { bearer, createUser } from '../../factories/user.factory';
import { startTestApp, TestApp } from '../../setup/test-app';
import { waitFor } from '../../setup/wait-for';

describe('rate limiting (Redis-backed, per IP and per user)', () => {
  let t: TestApp;
  let ipCounter = 0;
  const freshIp = () => `10.0.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

  beforeAll(async () => {
    t = await startTestApp({
      TRUST_PROXY: 'true',
      RATE_LIMIT_MAX: '5',
      AUTH_RATE_LIMIT_MAX: '3',
      // Far longer than a burst takes even on a loaded machine (the limit is checked before any argon2 work),
      // so no request of a burst lands in a new window; the recovery is polled for, not slept on.
      RATE_LIMIT_WINDOW_MS: '20000',
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
    // Four at once: the counter is one atomic Redis increment per request, so whatever their order exactly
    // three get through (wrong password: 401) and one is limited.
    const burst = await Promise.all(Array.from({ length: 4 }, () => login(ip)));
    expect(burst.map((r) => r.status).sort()).toEqual([401, 401, 401, 429]);
    const limited = burst.find((r) => r.status === 429)!;
    expect(limited.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(20);
    // Another IP is unaffected.
    expect((await login(freshIp())).status).toBe(401);
    // Once the window is over, the IP is let through again.
    await waitFor(async () => (await login(ip)).status === 401, {
      what: 'the limited IP to be let through after the window',
      intervalMs: 1000,
    });
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
