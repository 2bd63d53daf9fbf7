import { randomBytes } from 'node:crypto';

import { TestApp } from '../setup/test-app';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  name: string;
  accessToken: string;
  refreshToken: string;
}

/** Registers a user through the API (promoting it to admin directly in the database when asked) and logs in. */
export async function createUser(
  t: TestApp,
  options: { role?: 'customer' | 'admin'; language?: string; headers?: Record<string, string> } = {},
): Promise<TestUser> {
  const headers = options.headers ?? {};
  const email = `user-${randomBytes(5).toString('hex')}@example.com`;
  const password = 'correct-horse-battery';
  const name = 'Test User';
  const registered = await t
    .http()
    .post('/v1/auth/register')
    .set(headers)
    .send({ email, password, name, ...(options.language ? { language: options.language } : {}) })
    .expect(201);
  if (options.role === 'admin')
    await t.db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [registered.body.id]);
  const login = await t.http().post('/v1/auth/login').set(headers).send({ email, password }).expect(200);
  return { id: registered.body.id, email, password, name, ...login.body };
}

export const bearer = (user: { accessToken: string }) => ({ Authorization: `Bearer ${user.accessToken}` });
