import { startTestApp, TestApp } from '../../setup/test-app';

describe('HTTP platform: errors, i18n, limits, correlation ids, docs', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('error shape', () => {
    it('answers an unknown route with the standard error body', async () => {
      const res = await t.http().get('/v1/does-not-exist').expect(404);
      expect(res.body).toEqual({
        statusCode: 404,
        code: 'NOT_FOUND',
        message: expect.any(String),
        correlationId: res.headers['x-correlation-id'],
      });
    });

    it('answers malformed JSON with 400, never 500', async () => {
      const res = await t
        .http()
        .post('/v1/auth/register')
        .set('Content-Type', 'application/json')
        .send('{"email":')
        .expect(400);
      expect(res.body).toMatchObject({
        statusCode: 400,
        code: 'MALFORMED_JSON',
      });
    });

    it('answers an unsupported content type with 415', async () => {
      const res = await t
        .http()
        .post('/v1/auth/login')
        .set('Content-Type', 'application/xml')
        .send('<a/>')
        .expect(415);
      expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });

    it('answers a body over the limit with 413', async () => {
      const res = await t
        .http()
        .post('/v1/auth/register')
        .send({ email: 'big@example.com', password: 'long-enough-pass', name: 'x'.repeat(70 * 1024) })
        .expect(413);
      expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await t.db.query(`SELECT 1 FROM users WHERE email = 'big@example.com'`)).toHaveLength(0);
    });
  });

  describe('validation and i18n', () => {
    it('lists every bad field with its rule', async () => {
      const res = await t
        .http()
        .post('/v1/auth/register')
        .send({ email: 'nope', password: 'short', extra: 1 })
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      const pairs = res.body.details.map((d: { field: string; code: string }) => `${d.field}:${d.code}`);
      expect(pairs).toEqual(
        expect.arrayContaining([
          'email:isEmail',
          'password:isLength',
          'name:isString',
          'extra:whitelistValidation',
        ]),
      );
    });

    it('answers in English by default and in pt-BR when asked', async () => {
      const en = await t
        .http()
        .post('/v1/auth/login')
        .send({ email: 'a@b.co', password: 'whatever-pass' })
        .expect(401);
      const pt = await t
        .http()
        .post('/v1/auth/login')
        .set('Accept-Language', 'pt-BR,pt;q=0.9,en;q=0.8')
        .send({ email: 'a@b.co', password: 'whatever-pass' })
        .expect(401);
      expect(en.body.message).toBe('Email or password is incorrect.');
      expect(pt.body.message).toBe('E-mail ou senha incorretos.');
      expect(pt.body.code).toBe(en.body.code);
    });

    it('localises per-field validation messages', async () => {
      const res = await t
        .http()
        .post('/v1/auth/register')
        .set('Accept-Language', 'pt')
        .send({ email: 'x' })
        .expect(400);
      expect(res.body.message).toMatch(/requisição é inválida/);
      expect(res.body.details.find((d: { field: string }) => d.field === 'email').message).toBe(
        'email deve ser um endereço de e-mail válido.',
      );
    });

    it('interpolates parameters into localised messages', async () => {
      const id = '00000000-0000-4000-8000-000000000000';
      const res = await t.http().get(`/v1/items/${id}`).set('Accept-Language', 'pt-BR').expect(404);
      expect(res.body.message).toBe(`O item ${id} não foi encontrado.`);
    });
  });

  describe('correlation id', () => {
    it('echoes a well-formed X-Correlation-Id on success and error responses', async () => {
      const ok = await t
        .http()
        .get('/v1/health/live')
        .set('X-Correlation-Id', 'client-abc-12345')
        .expect(200);
      expect(ok.headers['x-correlation-id']).toBe('client-abc-12345');
      const err = await t
        .http()
        .get('/v1/items/not-a-uuid')
        .set('X-Correlation-Id', 'client-def-67890')
        .expect(400);
      expect(err.headers['x-correlation-id']).toBe('client-def-67890');
      expect(err.body.correlationId).toBe('client-def-67890');
    });

    it('replaces a malformed header with a generated uuid', async () => {
      const res = await t
        .http()
        .get('/v1/health/live')
        .set('X-Correlation-Id', 'bad id with spaces')
        .expect(200);
      expect(res.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('generates a fresh id per request when none is sent', async () => {
      const [a, b] = await Promise.all([t.http().get('/v1/health/live'), t.http().get('/v1/health/live')]);
      expect(a.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(a.headers['x-correlation-id']).not.toBe(b.headers['x-correlation-id']);
    });
  });

  describe('security headers and docs', () => {
    it('sets helmet headers', async () => {
      const res = await t.http().get('/v1/health/live').expect(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    });

    it('serves OpenAPI generated from the DTOs at /docs', async () => {
      const html = await t.http().get('/docs').expect(200);
      expect(html.text).toContain('swagger');
      const spec = await t.http().get('/docs/openapi.json').expect(200);
      expect(Object.keys(spec.body.paths)).toEqual(
        expect.arrayContaining([
          '/v1/auth/register',
          '/v1/auth/login',
          '/v1/items',
          '/v1/items/{id}',
          '/v1/users/me',
          '/v1/health/ready',
        ]),
      );
      expect(spec.body.components.schemas.CreateItemDto.properties.priceCents).toMatchObject({
        type: 'integer',
      });
      expect(spec.body.components.schemas.CreateItemDto.required).toEqual(
        expect.arrayContaining(['sku', 'name', 'priceCents', 'currency', 'stock']),
      );
    });
  });

  describe('health', () => {
    it('reports live and ready with both dependencies up', async () => {
      await t.http().get('/v1/health/live').expect(200, { status: 'ok' });
      const ready = await t.http().get('/v1/health/ready').expect(200);
      expect(ready.body).toEqual({ status: 'ok', checks: { postgres: 'up', redis: 'up' } });
    });
  });
});
