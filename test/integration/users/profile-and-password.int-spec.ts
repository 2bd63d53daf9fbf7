import { bearer, createUser } from '../../factories/user.factory';
import { startTestApp, TestApp } from '../../setup/test-app';

describe('users: profile and password', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('updates name, email and language', async () => {
    const user = await createUser(t);
    const res = await t
      .http()
      .patch('/v1/users/me')
      .set(bearer(user))
      .send({ name: 'Renamed', email: `NEW-${user.email}`, language: 'pt-BR' })
      .expect(200);
    expect(res.body).toMatchObject({
      name: 'Renamed',
      email: `new-${user.email}`,
      language: 'pt-BR',
      role: 'customer',
    });
  });

  it('refuses an email that another user has', async () => {
    const [a, b] = [await createUser(t), await createUser(t)];
    const res = await t.http().patch('/v1/users/me').set(bearer(a)).send({ email: b.email }).expect(409);
    expect(res.body.code).toBe('EMAIL_TAKEN');
  });

  it('needs the current password to change it', async () => {
    const user = await createUser(t);
    const res = await t
      .http()
      .patch('/v1/users/me/password')
      .set(bearer(user))
      .send({ currentPassword: 'wrong-password', newPassword: 'brand-new-password' })
      .expect(400);
    expect(res.body.code).toBe('WRONG_CURRENT_PASSWORD');
    await t.http().post('/v1/auth/login').send({ email: user.email, password: user.password }).expect(200);
  });

  it('changes the password, keeps this session and signs out the others', async () => {
    const user = await createUser(t);
    const other = await t
      .http()
      .post('/v1/auth/login')
      .send({ email: user.email, password: user.password })
      .expect(200);
    await t
      .http()
      .patch('/v1/users/me/password')
      .set(bearer(user))
      .send({ currentPassword: user.password, newPassword: 'brand-new-password' })
      .expect(204);
    await t.http().get('/v1/users/me').set(bearer(user)).expect(200);
    await t.http().get('/v1/users/me').set(bearer(other.body)).expect(401);
    await t.http().post('/v1/auth/login').send({ email: user.email, password: user.password }).expect(401);
    await t
      .http()
      .post('/v1/auth/login')
      .send({ email: user.email, password: 'brand-new-password' })
      .expect(200);
  });

  it('validates the new password length', async () => {
    const user = await createUser(t);
    const res = await t
      .http()
      .patch('/v1/users/me/password')
      .set(bearer(user))
      .send({ currentPassword: user.password, newPassword: 'short' })
      .expect(400);
    expect(res.body.details).toContainEqual(
      expect.objectContaining({ field: 'newPassword', code: 'isLength' }),
    );
  });
});
