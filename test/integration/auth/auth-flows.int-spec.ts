import { bearer, createUser } from '../../factories/user.factory';
import { startTestApp, TestApp } from '../../setup/test-app';

describe('auth flows (real Postgres + Redis)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('registers a customer, never echoing or storing the password in clear', async () => {
    const res = await t
      .http()
      .post('/v1/auth/register')
      .send({ email: '  Ana@Example.COM ', password: 'long-enough-pass', name: 'Ana' })
      .expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      email: 'ana@example.com',
      name: 'Ana',
      role: 'customer',
    });
    const [row] = await t.db.query<{ password_hash: string }>(
      `SELECT password_hash FROM users WHERE id = $1`,
      [res.body.id],
    );
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('rejects a second registration of the same email with 409 EMAIL_TAKEN', async () => {
    const user = await createUser(t);
    const res = await t
      .http()
      .post('/v1/auth/register')
      .send({ email: user.email.toUpperCase(), password: 'another-password', name: 'Dup' })
      .expect(409);
    expect(res.body.code).toBe('EMAIL_TAKEN');
  });

  it('refuses role escalation at registration and keeps the role customer', async () => {
    const res = await t
      .http()
      .post('/v1/auth/register')
      .send({ email: 'mallory@example.com', password: 'long-enough-pass', name: 'Mallory', role: 'admin' })
      .expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details).toContainEqual(
      expect.objectContaining({ field: 'role', code: 'whitelistValidation' }),
    );
    expect(await t.db.query(`SELECT 1 FROM users WHERE email = 'mallory@example.com'`)).toHaveLength(0);
  });

  it('refuses role escalation through PATCH /users/me', async () => {
    const user = await createUser(t);
    const res = await t.http().patch('/v1/users/me').set(bearer(user)).send({ role: 'admin' }).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const me = await t.http().get('/v1/users/me').set(bearer(user)).expect(200);
    expect(me.body.role).toBe('customer');
  });

  it('gives the same answer for a wrong password and an unknown email', async () => {
    const user = await createUser(t);
    const wrong = await t
      .http()
      .post('/v1/auth/login')
      .send({ email: user.email, password: 'not-the-password' })
      .expect(401);
    const unknown = await t
      .http()
      .post('/v1/auth/login')
      .send({ email: 'nobody@example.com', password: 'not-the-password' })
      .expect(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.body.code).toBe('INVALID_CREDENTIALS');
    expect(wrong.body.message).toBe(unknown.body.message);
  });

  it('returns access + refresh tokens whose access token opens /users/me', async () => {
    const user = await createUser(t);
    expect(user.accessToken.split('.')).toHaveLength(3);
    const me = await t.http().get('/v1/users/me').set(bearer(user)).expect(200);
    expect(me.body).toMatchObject({ id: user.id, email: user.email, role: 'customer', language: 'en' });
    expect(me.body).not.toHaveProperty('passwordHash');
  });

  it('rejects missing, malformed and forged access tokens with 401', async () => {
    expect((await t.http().get('/v1/users/me').expect(401)).body.code).toBe('UNAUTHENTICATED');
    const bad = await t.http().get('/v1/users/me').set({ Authorization: 'Bearer not.a.jwt' }).expect(401);
    expect(bad.body.code).toBe('INVALID_ACCESS_TOKEN');
    const user = await createUser(t);
    const [header, payload] = user.accessToken.split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    await t
      .http()
      .get('/v1/users/me')
      .set({ Authorization: `Bearer ${unsigned}` })
      .expect(401);
    await t
      .http()
      .get('/v1/users/me')
      .set({ Authorization: `Bearer ${header}.${payload}.forgedsignature` })
      .expect(401);
  });

  it('rotates refresh tokens: each refresh returns a new pair and the new tokens work', async () => {
    const user = await createUser(t);
    const first = await t
      .http()
      .post('/v1/auth/refresh')
      .send({ refreshToken: user.refreshToken })
      .expect(200);
    expect(first.body.refreshToken).not.toBe(user.refreshToken);
    expect(first.body.expiresIn).toBe(900);
    await t.http().get('/v1/users/me').set(bearer(first.body)).expect(200);
    const second = await t
      .http()
      .post('/v1/auth/refresh')
      .send({ refreshToken: first.body.refreshToken })
      .expect(200);
    expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
    const stored = await t.db.query<{ token_hash: string }>(
      `SELECT token_hash FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id WHERE s.user_id = $1`,
      [user.id],
    );
    expect(stored).toHaveLength(3);
    for (const row of stored)
      expect([user.refreshToken, first.body.refreshToken]).not.toContain(row.token_hash);
  });

  it('revokes the whole session when a rotated refresh token is reused', async () => {
    const user = await createUser(t);
    const rotated = await t
      .http()
      .post('/v1/auth/refresh')
      .send({ refreshToken: user.refreshToken })
      .expect(200);
    const reuse = await t
      .http()
      .post('/v1/auth/refresh')
      .send({ refreshToken: user.refreshToken })
      .expect(401);
    expect(reuse.body.code).toBe('REFRESH_TOKEN_REUSED');
    // The attacker's copy and the legitimate newest tokens are all dead now.
    const newest = await t
      .http()
      .post('/v1/auth/refresh')
      .send({ refreshToken: rotated.body.refreshToken })
      .expect(401);
    expect(newest.body.code).toBe('INVALID_REFRESH_TOKEN');
    await t.http().get('/v1/users/me').set(bearer(rotated.body)).expect(401);
    await t.http().get('/v1/users/me').set(bearer(user)).expect(401);
  });

  it('lets only one of two concurrent refreshes with the same token win', async () => {
    const user = await createUser(t);
    const results = await Promise.all(
      [1, 2].map(() => t.http().post('/v1/auth/refresh').send({ refreshToken: user.refreshToken })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('rejects an unknown refresh token', async () => {
    const res = await t.http().post('/v1/auth/refresh').send({ refreshToken: 'made-up-token' }).expect(401);
    expect(res.body.code).toBe('INVALID_REFRESH_TOKEN');
  });

  it('logout stops the access token and the refresh token at once', async () => {
    const user = await createUser(t);
    await t.http().post('/v1/auth/logout').set(bearer(user)).expect(204);
    const after = await t.http().get('/v1/users/me').set(bearer(user)).expect(401);
    expect(after.body.code).toBe('INVALID_ACCESS_TOKEN');
    await t.http().post('/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
  });

  it('logout ends only that session; another login of the same user keeps working', async () => {
    const user = await createUser(t);
    const other = await t
      .http()
      .post('/v1/auth/login')
      .send({ email: user.email, password: user.password })
      .expect(200);
    await t.http().post('/v1/auth/logout').set(bearer(user)).expect(204);
    await t.http().get('/v1/users/me').set(bearer(other.body)).expect(200);
  });
});
