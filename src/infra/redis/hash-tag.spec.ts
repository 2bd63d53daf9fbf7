import { assertOneSlot, hashTagOf } from './hash-tag';

describe(hashTagOf.name, () => {
  it.each([
    ['{catalog}:item:1', 'catalog'],
    ['dispatch:{orders}:orders:wait', 'orders'],
    ['a{b}c{d}', 'b'],
    ['no-tag', 'no-tag'],
    ['empty{}tag', 'empty{}tag'],
    ['{}{x}', '{}{x}'],
    ['open{only', 'open{only'],
    ['close}only{', 'close}only{'],
  ])('%s hashes on %s', (key, tag) => {
    expect(hashTagOf(key)).toBe(tag);
  });
});

describe(assertOneSlot.name, () => {
  it('accepts keys with one tag, and a single untagged key', () => {
    expect(() => assertOneSlot(['{catalog}:list:gen', '{catalog}:item:1', 'x{catalog}y'])).not.toThrow();
    expect(() => assertOneSlot(['plain', 'plain'])).not.toThrow();
    expect(() => assertOneSlot([])).not.toThrow();
  });

  it('refuses keys that may land in different slots', () => {
    expect(() => assertOneSlot(['catalog:list:gen', 'catalog:item:1'])).toThrow(/hash tag/);
    expect(() => assertOneSlot(['{a}:1', '{b}:1'])).toThrow(/hash tag/);
  });
});
