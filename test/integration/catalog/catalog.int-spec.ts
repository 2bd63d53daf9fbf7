import { itemInput } from '../../factories/item.factory';
import { bearer, createUser, TestUser } from '../../factories/user.factory';
import { startTestApp, TestApp } from '../../setup/test-app';

describe('catalog: CRUD, cache-aside, pagination', () => {
  let t: TestApp;
  let admin: TestUser;
  let customer: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await createUser(t, { role: 'admin' });
    customer = await createUser(t);
  });
  afterAll(() => t.close());

  const create = (body: object) => t.http().post('/v1/items').set(bearer(admin)).send(body);

  it('lets an admin create, read, update and delete an item', async () => {
    const input = itemInput({ priceCents: 2599, stock: 7 });
    const created = await create(input).expect(201);
    expect(created.body).toMatchObject({ ...input, id: expect.any(String) });

    const read = await t.http().get(`/v1/items/${created.body.id}`).expect(200);
    expect(read.body).toEqual(created.body);

    const updated = await t
      .http()
      .patch(`/v1/items/${created.body.id}`)
      .set(bearer(admin))
      .send({ name: 'Renamed', priceCents: 100 })
      .expect(200);
    expect(updated.body).toMatchObject({ name: 'Renamed', priceCents: 100, sku: input.sku, stock: 7 });

    await t.http().delete(`/v1/items/${created.body.id}`).set(bearer(admin)).expect(204);
    const gone = await t.http().get(`/v1/items/${created.body.id}`).expect(404);
    expect(gone.body.code).toBe('ITEM_NOT_FOUND');
    await t.http().delete(`/v1/items/${created.body.id}`).set(bearer(admin)).expect(404);
  });

  it('keeps writes admin-only: 401 anonymous, 403 customer, nothing written', async () => {
    const input = itemInput();
    expect((await t.http().post('/v1/items').send(input).expect(401)).body.code).toBe('UNAUTHENTICATED');
    expect((await t.http().post('/v1/items').set(bearer(customer)).send(input).expect(403)).body.code).toBe(
      'FORBIDDEN',
    );
    const [item] = await t.db.query<{ id: string }>(`SELECT id FROM items LIMIT 1`);
    if (item) {
      await t.http().patch(`/v1/items/${item.id}`).set(bearer(customer)).send({ stock: 0 }).expect(403);
      await t.http().delete(`/v1/items/${item.id}`).set(bearer(customer)).expect(403);
    }
    expect(await t.db.query(`SELECT 1 FROM items WHERE sku = $1`, [input.sku])).toHaveLength(0);
  });

  it('refuses a duplicate sku with 409 and frees the sku once the item is deleted', async () => {
    const input = itemInput();
    const first = await create(input).expect(201);
    expect((await create(input).expect(409)).body.code).toBe('SKU_TAKEN');
    await t.http().delete(`/v1/items/${first.body.id}`).set(bearer(admin)).expect(204);
    await create(input).expect(201);
  });

  it.each([
    [{ priceCents: -1 }, 'priceCents'],
    [{ priceCents: 12.5 }, 'priceCents'],
    [{ stock: -3 }, 'stock'],
    [{ currency: 'eur' }, 'currency'],
    [{ sku: 'has spaces' }, 'sku'],
    [{ name: '' }, 'name'],
    [{ priceCents: '100' }, 'priceCents'],
  ])('rejects invalid input %p with per-field details and writes nothing', async (patch, field) => {
    const input = itemInput(patch as object);
    const res = await create(input).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await t.db.query(`SELECT 1 FROM items WHERE sku = $1`, [input.sku])).toHaveLength(0);
  });

  it('answers 400 for a malformed item id and 404 for an unknown one', async () => {
    expect((await t.http().get('/v1/items/not-a-uuid').expect(400)).body.details[0]).toMatchObject({
      field: 'id',
      code: 'isUuid',
    });
    await t.http().get('/v1/items/00000000-0000-4000-8000-000000000000').expect(404);
  });

  it('serves reads from Redis and invalidates them on every write', async () => {
    const created = await create(itemInput({ name: 'Cached', stock: 5 })).expect(201);
    const id = created.body.id as string;
    await t.http().get(`/v1/items/${id}`).expect(200);
    await t.http().get('/v1/items?page=1&limit=100').expect(200);
    expect(JSON.parse((await t.redis.redis.get(`{catalog}:item:${id}`))!)).toMatchObject({ name: 'Cached' });

    // A change behind the API's back is invisible while the cache holds: reads really come from Redis.
    await t.db.query(`UPDATE items SET name = 'Changed in SQL' WHERE id = $1`, [id]);
    expect((await t.http().get(`/v1/items/${id}`).expect(200)).body.name).toBe('Cached');

    // A write through the API invalidates both the item and every cached page.
    await t.http().patch(`/v1/items/${id}`).set(bearer(admin)).send({ stock: 4 }).expect(200);
    const item = await t.http().get(`/v1/items/${id}`).expect(200);
    expect(item.body).toMatchObject({ name: 'Changed in SQL', stock: 4 });
    const list = await t.http().get('/v1/items?page=1&limit=100').expect(200);
    expect(list.body.data.find((i: { id: string }) => i.id === id)).toMatchObject({ stock: 4 });

    await t.http().delete(`/v1/items/${id}`).set(bearer(admin)).expect(204);
    await t.http().get(`/v1/items/${id}`).expect(404);
    const after = await t.http().get('/v1/items?page=1&limit=100').expect(200);
    expect(after.body.data.map((i: { id: string }) => i.id)).not.toContain(id);
  });

  it('shows a newly created item in an already cached listing', async () => {
    const before = await t.http().get('/v1/items?limit=100').expect(200);
    const created = await create(itemInput()).expect(201);
    const after = await t.http().get('/v1/items?limit=100').expect(200);
    expect(after.body.total).toBe(before.body.total + 1);
    expect(after.body.data.map((i: { id: string }) => i.id)).toContain(created.body.id);
  });

  it('paginates with { data, total, page, limit } in a stable order', async () => {
    for (let i = 0; i < 5; i++) await create(itemInput()).expect(201);
    const total = (await t.http().get('/v1/items').expect(200)).body.total as number;
    expect(total).toBeGreaterThanOrEqual(5);
    const page1 = await t.http().get('/v1/items?page=1&limit=2').expect(200);
    const page2 = await t.http().get('/v1/items?page=2&limit=2').expect(200);
    expect(page1.body).toMatchObject({ page: 1, limit: 2, total });
    expect(page1.body.data).toHaveLength(2);
    expect(page2.body.data).toHaveLength(2);
    expect(page1.body.data[0].id).not.toBe(page2.body.data[0].id);
    const defaults = await t.http().get('/v1/items').expect(200);
    expect(defaults.body).toMatchObject({ page: 1, limit: 20 });
    const beyond = await t.http().get('/v1/items?page=9999&limit=100').expect(200);
    expect(beyond.body).toMatchObject({ data: [], total, page: 9999 });
  });

  it.each(['limit=101', 'limit=0', 'page=0', 'page=-1', 'limit=abc', 'limit=1.5', 'page=1&extra=1'])(
    'rejects out-of-bounds pagination %s with 400',
    async (query) => {
      const res = await t.http().get(`/v1/items?${query}`).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    },
  );
});
