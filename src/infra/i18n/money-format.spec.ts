import { centsToDecimal, formatMoney } from './money-format';

describe('formatMoney', () => {
  it.each([
    [0, 'EUR', 'EUR 0.00'],
    [5, 'EUR', 'EUR 0.05'],
    [50, 'EUR', 'EUR 0.50'],
    [1999, 'EUR', 'EUR 19.99'],
    [100000, 'USD', 'USD 1,000.00'],
    [123450, 'EUR', 'EUR 1,234.50'],
    [99999999, 'GBP', 'GBP 999,999.99'],
    [123456789012, 'BRL', 'BRL 1,234,567,890.12'],
    [-500, 'EUR', '-EUR 5.00'],
    [-123450, 'EUR', '-EUR 1,234.50'],
    [-1, 'EUR', '-EUR 0.01'],
  ])('formats %d %s as %s', (cents, currency, expected) => {
    expect(formatMoney(cents, currency)).toBe(expected);
  });

  it('is exact at the edge of the safe integer range', () => {
    expect(formatMoney(Number.MAX_SAFE_INTEGER, 'EUR')).toBe('EUR 90,071,992,547,409.91');
    expect(formatMoney(-Number.MAX_SAFE_INTEGER, 'EUR')).toBe('-EUR 90,071,992,547,409.91');
  });

  it('normalises the currency code the database pads and the client may lower-case', () => {
    expect(formatMoney(1250, 'eur ')).toBe('EUR 12.50');
  });

  it('does not print a negative zero', () => {
    expect(formatMoney(-0, 'EUR')).toBe('EUR 0.00');
  });

  it.each([1.5, 0.1, NaN, Infinity, Number.MAX_SAFE_INTEGER + 1])('rejects %p cents', (cents) => {
    expect(() => formatMoney(cents, 'EUR')).toThrow(RangeError);
  });

  it.each(['', 'EURO', 'E1R', '€'])('rejects currency %p', (currency) => {
    expect(() => formatMoney(100, currency)).toThrow(RangeError);
  });
});

describe('formatMoney in other locales and currencies', () => {
  it('uses the locale separators', () => {
    expect(formatMoney(123450, 'EUR', { group: '.', decimal: ',' })).toBe('EUR 1.234,50');
  });

  it('has no minor part for a zero-decimal currency', () => {
    expect(formatMoney(1500, 'JPY')).toBe('JPY 1,500');
    expect(centsToDecimal(1500, 'JPY')).toBe('1500');
  });
});

describe('centsToDecimal', () => {
  it.each([
    [0, '0.00'],
    [1250, '12.50'],
    [7, '0.07'],
    [123456789, '1234567.89'],
    [-500, '-5.00'],
    [-7, '-0.07'],
  ])('renders %d cents as %s', (cents, expected) => {
    expect(centsToDecimal(cents)).toBe(expected);
  });

  it('rejects fractional cents', () => {
    expect(() => centsToDecimal(12.5)).toThrow(RangeError);
  });
});
