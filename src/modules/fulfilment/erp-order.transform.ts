/**
 * Maps a paid Dispatch order to the order document X-API (the ERP) accepts. Pure: no I/O, no clock, so the
 * same order always yields the same payload and a resubmission after a crash is byte-for-byte identical.
 */

/** X-API's closed set of salutations; K_ANGABE ("keine Angabe") is its "not stated". */
export enum ErpSalutation {
  Herr = 'HERR',
  Frau = 'FRAU',
  KeineAngabe = 'K_ANGABE',
}

export interface ErpOrderInput {
  orderId: string;
  createdAt: Date;
  customer: { name: string; email: string; salutation?: string | null };
  shippingAddress: {
    name: string;
    line1: string;
    line2?: string;
    city: string;
    postalCode: string;
    country: string;
  };
  currency: string;
  lines: { sku: string; name: string; quantity: number; unitPrice: string | number /* EUR decimal */ }[];
}

export interface ErpOrderPosition {
  /** 10000, 20000, …: X-API's numbering, in steps of 10000. */
  positionNo: number;
  articleNo: string;
  description: string;
  quantity: number;
  unitPriceCents: number;
  lineTotalCents: number;
}

export interface ErpOrderPayload {
  externalOrderId: string;
  /** ISO 8601 in UTC with milliseconds, e.g. 2026-03-01T10:00:00.000Z. */
  orderDate: string;
  currency: string;
  customer: { salutation: `${ErpSalutation}`; name: string; email: string };
  deliveryAddress: {
    name: string;
    street: string;
    additionalLine?: string;
    city: string;
    zip: string;
    countryCode: string;
  };
  positions: ErpOrderPosition[];
  totalCents: number;
}

/** The largest signed 32-bit integer: cent amounts above it are refused rather than risk overflow at the ERP. */
export const MAX_ERP_CENTS = 2 ** 31 - 1;

const POSITION_STEP = 10_000;
// Digits only, optional fraction: no sign, exponent, spaces or thousands separators.
const PLAIN_DECIMAL = /^(\d+)(?:\.(\d+))?$/;
// A Map, not an object literal: a salutation of 'constructor' must not find Object.prototype.constructor.
const SALUTATIONS = new Map<string, ErpSalutation>([
  ['male', ErpSalutation.Herr],
  ['female', ErpSalutation.Frau],
  ['other', ErpSalutation.KeineAngabe],
]);

/**
 * EUR decimal → integer cents, rounding half up on the decimal digits. A number is read through its shortest
 * round-trip string (`String(19.995)` is '19.995'), so 19.995 gives 2000 even though the double closest to it
 * is 19.99499…; multiplying by 100 first would give 1999.
 *
 * @throws RangeError for negative, non-finite or non-decimal input (exponents included) and above MAX_ERP_CENTS.
 */
export function eurToCents(value: string | number): number {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new RangeError(`Not a finite amount: ${value}`);
  }
  const text = String(value);
  if (text.startsWith('-')) throw new RangeError(`Negative amount: ${text}`);
  const match = PLAIN_DECIMAL.exec(text);
  if (!match) throw new RangeError(`Not a plain EUR decimal: '${text}'`);
  const [, whole, fraction = ''] = match;
  const digits = fraction.padEnd(3, '0');
  // BigInt so a 20-digit integer part is compared exactly instead of losing digits as a double.
  let cents = BigInt(whole) * 100n + BigInt(digits.slice(0, 2));
  // Half up: the third fraction digit alone decides, since the digits after it cannot reach the next half.
  if (Number(digits[2]) >= 5) cents += 1n;
  return checkedCents(cents, text);
}

/** Sums EUR decimals exactly (0.1 + 0.2 → 30 cents); each value is rounded to cents before adding. */
export function sumCents(values: (string | number)[]): number {
  return checkedCents(
    values.reduce<bigint>((sum, value) => sum + BigInt(eurToCents(value)), 0n),
    'sum',
  );
}

/** @throws RangeError when the order has no lines, a quantity is not a positive integer, or an amount is invalid. */
export function toErpOrder(input: ErpOrderInput): ErpOrderPayload {
  if (input.lines.length === 0) throw new RangeError(`Order ${input.orderId} has no lines`);
  const positions = input.lines.map((line, index): ErpOrderPosition => {
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1) {
      throw new RangeError(`Quantity of ${line.sku} is not a positive integer: ${line.quantity}`);
    }
    const unitPriceCents = eurToCents(line.unitPrice);
    return {
      positionNo: (index + 1) * POSITION_STEP,
      articleNo: line.sku,
      description: line.name,
      quantity: line.quantity,
      unitPriceCents,
      // Rounded unit price × quantity, never decimal price × quantity rounded: the ERP can recompute it exactly.
      lineTotalCents: checkedCents(BigInt(line.quantity) * BigInt(unitPriceCents), `line ${line.sku}`),
    };
  });
  const address = input.shippingAddress;
  return {
    externalOrderId: input.orderId,
    // toISOString is always UTC with milliseconds, whatever time zone the Date was built in.
    orderDate: input.createdAt.toISOString(),
    currency: input.currency,
    customer: {
      salutation: toErpSalutation(input.customer.salutation),
      name: input.customer.name,
      email: input.customer.email,
    },
    deliveryAddress: {
      name: address.name,
      street: address.line1,
      // An empty line2 is left out rather than sent as an empty additional line.
      ...(address.line2 ? { additionalLine: address.line2 } : {}),
      city: address.city,
      zip: address.postalCode,
      countryCode: address.country,
    },
    positions,
    totalCents: checkedCents(
      positions.reduce<bigint>((sum, position) => sum + BigInt(position.lineTotalCents), 0n),
      'total',
    ),
  };
}

/** Unknown or missing salutations are "not stated" rather than an error: the order must still ship. */
function toErpSalutation(salutation: string | null | undefined): ErpSalutation {
  return SALUTATIONS.get(salutation?.trim().toLowerCase() ?? '') ?? ErpSalutation.KeineAngabe;
}

function checkedCents(cents: bigint, what: string): number {
  if (cents > BigInt(MAX_ERP_CENTS)) {
    throw new RangeError(`Amount of ${what} exceeds ${MAX_ERP_CENTS} cents`);
  }
  return Number(cents);
}
