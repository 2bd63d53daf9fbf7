/**
 * Stripe's minimum charge per presentment currency, in the currency's minor unit as the API takes amounts
 * (docs.stripe.com/currencies, "Minimum and maximum charge amounts"). These are the currencies Dispatch
 * accepts: an order in any other is refused before it is written. JPY is zero-decimal (50 = ¥50); HUF is
 * charged in two-decimal units like the rest.
 */
export const MINIMUM_CHARGE_MINOR_UNITS: Readonly<Record<string, number>> = {
  USD: 50,
  AED: 200,
  AUD: 50,
  BGN: 100,
  BRL: 50,
  CAD: 50,
  CHF: 50,
  CZK: 1500,
  DKK: 250,
  EUR: 50,
  GBP: 30,
  HKD: 400,
  HUF: 17500,
  INR: 50,
  JPY: 50,
  MXN: 1000,
  MYR: 200,
  NOK: 300,
  NZD: 50,
  PLN: 200,
  RON: 200,
  SEK: 300,
  SGD: 50,
  THB: 1000,
};

/** Stripe's largest amount for a two-decimal currency (999,999.99); also below 2^31 − 1 for our columns. */
export const MAXIMUM_CHARGE_MINOR_UNITS = 99_999_999;

/** The minimum charge for `currency` (any case), or undefined when Dispatch does not accept it. */
export function minimumCharge(currency: string): number | undefined {
  const code = currency.toUpperCase();
  return Object.hasOwn(MINIMUM_CHARGE_MINOR_UNITS, code) ? MINIMUM_CHARGE_MINOR_UNITS[code] : undefined;
}
