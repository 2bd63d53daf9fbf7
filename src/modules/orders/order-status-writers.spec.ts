import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [full] : [];
  });
}

/** Issue 10: one writer applies the order process; no other code changes an order's status. */
describe('who writes orders.status', () => {
  const files = sources(SRC).map((file) => ({
    file: path.relative(SRC, file),
    text: readFileSync(file, 'utf8'),
  }));

  it('only order-transitions.repository.ts has SQL that sets an order status', () => {
    const writers = files
      .filter(({ text }) => /UPDATE\s+orders\s+SET[^`]*\bstatus\s*=/i.test(text))
      .map(({ file }) => file);
    expect(writers).toEqual(['modules/orders/order-transitions.repository.ts']);
  });

  it('only OrderStateWriter uses that repository, and OrdersModule does not export it', () => {
    const users = files
      .filter(({ text }) => text.includes('OrderTransitionsRepository'))
      .map(({ file }) => file)
      .sort();
    expect(users).toEqual([
      'modules/orders/order-state.writer.ts',
      'modules/orders/order-transitions.repository.ts',
      'modules/orders/orders.module.ts',
    ]);
    const module = files.find(({ file }) => file === 'modules/orders/orders.module.ts')!.text;
    expect(module.slice(module.indexOf('exports:'))).not.toContain('OrderTransitionsRepository');
  });
});
