/*
 * The one money formatter of Dispatch (emails, invoices, CSV exports, the ERP payload). Amounts travel as
 * integer minor units (the `*_cents integer` columns, Stripe's amounts), so formatting stays in integer
 * arithmetic: a float detour such as `(cents / 100).toFixed(2)` can round a half-cent the wrong way and has no
 * place on an invoice. A zero-decimal currency (JPY) has no minor part.
 */

const CURRENCY_CODE = /^[A-Z]{3}$/;
/** ISO 4217 currencies without a minor unit, of those Dispatch accepts (Stripe's zero-decimal list). */
const ZERO_DECIMAL = new Set(['JPY', 'KRW', 'VND', 'CLP', 'PYG', 'UGX', 'XAF', 'XOF']);

export interface DigitSeparators {
  group: string;
  decimal: string;
}

const EN_SEPARATORS: DigitSeparators = { group: ',', decimal: '.' };

interface SplitAmount {
  negative: boolean;
  major: string;
  minor: string;
}

function split(amount: number, decimals: 0 | 2): SplitAmount {
  if (!Number.isSafeInteger(amount)) {
    throw new RangeError(`Amount must be a whole number of minor units, got ${String(amount)}`);
  }
  const abs = Math.abs(amount);
  if (decimals === 0) return { negative: amount < 0, major: String(abs), minor: '' };
  const minor = abs % 100;
  // abs - minor is an exact multiple of 100, so this division is exact, unlike Math.floor(abs / 100) near 2^53.
  const major = (abs - minor) / 100;
  return { negative: amount < 0, major: String(major), minor: String(minor).padStart(2, '0') };
}

function decimalsOf(currency: string | undefined): 0 | 2 {
  return currency && ZERO_DECIMAL.has(currency.trim().toUpperCase()) ? 0 : 2;
}

/** "1234.50", "-5.00" (or "1234" for a zero-decimal currency): plain decimals for machines (CSV, the ERP). */
export function centsToDecimal(cents: number, currency?: string): string {
  const { negative, major, minor } = split(cents, decimalsOf(currency));
  return `${negative ? '-' : ''}${major}${minor ? `.${minor}` : ''}`;
}

/**
 * "EUR 1,234.50", "-EUR 5.00": the human-readable form (invoices, emails), with the locale's separators
 * ("EUR 1.234,50" in pt-BR).
 */
export function formatMoney(
  cents: number,
  currency: string,
  separators: DigitSeparators = EN_SEPARATORS,
): string {
  const code = currency.trim().toUpperCase();
  if (!CURRENCY_CODE.test(code)) throw new RangeError(`Not an ISO 4217 currency code: "${currency}"`);
  const { negative, major, minor } = split(cents, decimalsOf(code));
  const grouped = groupDigits(major, separators.group);
  return `${negative ? '-' : ''}${code} ${grouped}${minor ? `${separators.decimal}${minor}` : ''}`;
}

/** "1,234,567" with the locale's group separator. */
export function groupDigits(digits: string, separator: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
}
