import { MAXIMUM_CHARGE_MINOR_UNITS, minimumCharge } from './charge-limits';

describe('charge limits', () => {
  it.each([
    ['EUR', 50],
    ['usd', 50],
    ['GBP', 30],
    ['JPY', 50],
    ['HUF', 17500],
  ])('%s has a minimum charge of %d minor units', (currency, min) => {
    expect(minimumCharge(currency)).toBe(min);
  });

  it('does not accept a currency outside the table', () => {
    expect(minimumCharge('XYZ')).toBeUndefined();
    expect(minimumCharge('toString')).toBeUndefined();
  });

  it('caps a charge at 999,999.99', () => {
    expect(MAXIMUM_CHARGE_MINOR_UNITS).toBe(99_999_999);
  });
});
