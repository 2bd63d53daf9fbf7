import { BenchDatabase } from './database';
import { Settings } from './settings';

export const ITEM_STOCK = 1_000_000;
const PASSWORD = 'bench-password-123';

export interface Seed {
  /** One access token per seeded user (bench-<i>@example.com, the users pgbench orders for too). */
  tokens: string[];
  /** A one-line order body per item (BENCH-1 … BENCH-<items>). */
  bodies: string[];
  /** The same for the first `hotItems` items only: every client orders from these (flash sale). */
  hotBodies: string[];
}

export const orderBody = (itemId: string): string =>
  JSON.stringify({
    items: [{ itemId, quantity: 1 }],
    shippingAddress: { name: 'Bench', line1: 'Street 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
  });

/** Registers and logs in a user through the API (passwords hashed as in production); returns its token. */
export async function signUp(base: string, email: string): Promise<string> {
  const post = (route: string, body: unknown) =>
    fetch(`${base}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const registered = await post('/v1/auth/register', { email, password: PASSWORD, name: 'Bench' });
  if (registered.status !== 201)
    throw new Error(`register ${email}: ${registered.status} ${await registered.text()}`);
  const login = await post('/v1/auth/login', { email, password: PASSWORD });
  const answer = (await login.json()) as { accessToken?: string };
  if (!answer.accessToken) throw new Error(`login ${email}: ${login.status} ${JSON.stringify(answer)}`);
  return answer.accessToken;
}

export const signUpBody = (email: string) => JSON.stringify({ email, password: PASSWORD, name: 'Bench' });
export const loginBody = (email: string) => JSON.stringify({ email, password: PASSWORD });

export async function seed(settings: Settings, base: string, db: BenchDatabase): Promise<Seed> {
  const tokens: string[] = [];
  for (let i = 0; i < settings.users; i++) tokens.push(await signUp(base, `bench-${i}@example.com`));
  const items = await db.query<{ id: string; n: number }>(
    `INSERT INTO items (sku, name, price_cents, currency, stock)
     SELECT 'BENCH-' || g, 'Bench item ' || g, 1999, 'EUR', $2 FROM generate_series(1, $1) g
     RETURNING id, substr(sku, 7)::int AS n`,
    [settings.items, ITEM_STOCK],
  );
  // Sorted by SKU number: the hot items are BENCH-1 … BENCH-<hotItems>, the ones pgbench's hot run picks from.
  items.sort((a, b) => a.n - b.n);
  const bodies = items.map((item) => orderBody(item.id));
  return { tokens, bodies, hotBodies: bodies.slice(0, Math.min(settings.hotItems, bodies.length)) };
}
