/*
 * Amounts travel through Dispatch as integer cents (the `*_cents integer` columns, Stripe's minor units), so
 * formatting stays in integer arithmetic: a float detour such as `(cents / 100).toFixed(2)` can round a
 * half-cent the wrong way and has no place on an invoice. Every currency is shown with two decimals because
 * that is how the rest of the system stores amounts; a zero-decimal currency such as JPY would need its
 * exponent modelled in the order first.
 */

const CURRENCY_CODE = /^[A-Z]{3}$/;

interface SplitAmount {
  negative: boolean;
  major: string;
  minor: string;
}

function splitCents(cents: number): SplitAmount {
  if (!Number.isSafeInteger(cents)) {
    throw new RangeError(`Amount must be a whole number of cents, got ${String(cents)}`);
  }
  const abs = Math.abs(cents);
  const minor = abs % 100;
  // abs - minor is an exact multiple of 100, so this division is exact, unlike Math.floor(abs / 100) near 2^53.
  const major = (abs - minor) / 100;
  return { negative: cents < 0, major: String(major), minor: String(minor).padStart(2, '0') };
}

/** "1234.50", "-5.00": a plain decimal for machine-readable exports (no grouping, no currency). */
export function centsToDecimal(cents: number): string {
  const { negative, major, minor } = splitCents(cents);
  return `${negative ? '-' : ''}${major}.${minor}`;
}

/** "EUR 1,234.50", "-EUR 5.00": the human-readable form used on documents. */
export function formatMoney(cents: number, currency: string): string {
  const code = currency.trim().toUpperCase();
  if (!CURRENCY_CODE.test(code)) throw new RangeError(`Not an ISO 4217 currency code: "${currency}"`);
  const { negative, major, minor } = splitCents(cents);
  const grouped = major.replace(/\B(?=(\d{3})+$)/g, ',');
  return `${negative ? '-' : ''}${code} ${grouped}.${minor}`;
}
