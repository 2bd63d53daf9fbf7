import { randomBytes } from 'node:crypto';

export function itemInput(
  overrides: Partial<
    Record<'sku' | 'name' | 'currency', string> & Record<'priceCents' | 'stock', number>
  > = {},
) {
  return {
    sku: `SKU-${randomBytes(4).toString('hex').toUpperCase()}`,
    name: 'Test item',
    priceCents: 1999,
    currency: 'EUR',
    stock: 10,
    ...overrides,
  };
}
