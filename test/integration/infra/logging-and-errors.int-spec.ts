import { Controller, Get, Logger } from '@nestjs/common';

import { Public } from '../../../src/modules/access/access-rules';
import { startTestApp, TestApp } from '../../setup/test-app';

@Controller('test-only')
class ExplodingController {
  private readonly logger = new Logger('ExplodingController');

  @Public()
  @Get('boom')
  async boom(): Promise<never> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.logger.log({ step: 'before-failure' }, 'about to fail');
    throw new Error('secret internal detail');
  }
}

describe('logging and unexpected errors', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'info' }, { controllers: [ExplodingController] });
  });
  afterAll(() => t.close());

  it('turns an unknown error into a 500 with the standard shape, no internals, and logs its stack once', async () => {
    const res = await t
      .http()
      .get('/v1/test-only/boom')
      .set('X-Correlation-Id', 'boom-correlation-1')
      .expect(500);
    expect(res.body).toEqual({
      statusCode: 500,
      code: 'INTERNAL_ERROR',
      message: 'Something went wrong on our side.',
      correlationId: 'boom-correlation-1',
    });
    const errors = await t.logs.where(
      (l) => l.msg === 'unhandled error' && l.correlationId === 'boom-correlation-1',
    );
    expect(errors).toHaveLength(1);
    expect(errors[0].level).toBe(50);
    expect((errors[0].err as { stack: string }).stack).toContain('secret internal detail');
  });

  it('binds the correlation id to every log line of a request, including service logs after body parsing', async () => {
    await t
      .http()
      .post('/v1/auth/register')
      .send({ email: 'logs@example.com', password: 'long-enough-pass', name: 'L' })
      .expect(201);
    await t
      .http()
      .post('/v1/auth/login')
      .set('X-Correlation-Id', 'login-correlation-1')
      .send({ email: 'logs@example.com', password: 'long-enough-pass' })
      .expect(200);
    const lines = await t.logs.where((l) => l.correlationId === 'login-correlation-1');
    const messages = lines.map((l) => l.msg);
    expect(messages).toEqual(expect.arrayContaining(['login succeeded', 'request completed']));
    const service = lines.find((l) => l.msg === 'login succeeded')!;
    expect(service).toMatchObject({
      context: 'AuthService',
      userId: expect.any(String),
      sessionId: expect.any(String),
    });
  });

  it('keeps concurrent requests’ correlation ids apart', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `concurrent-corr-${i}`);
    await Promise.all(ids.map((id) => t.http().get('/v1/test-only/boom').set('X-Correlation-Id', id)));
    const lines = await t.logs.where((l) => l.msg === 'about to fail');
    for (const id of ids) expect(lines.filter((l) => l.correlationId === id)).toHaveLength(1);
  });

  it('never logs credentials or tokens', async () => {
    await t
      .http()
      .get('/v1/users/me')
      .set('Authorization', 'Bearer super-secret-token-value')
      .set('X-Correlation-Id', 'redaction-check-1')
      .expect(401);
    const lines = await t.logs.where(() => true);
    const text = JSON.stringify(lines);
    expect(text).not.toContain('super-secret-token-value');
    expect(text).not.toContain('long-enough-pass');
  });
});
