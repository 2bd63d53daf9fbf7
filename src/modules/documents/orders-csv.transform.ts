import { Transform } from 'node:stream';

import { centsToDecimal } from '../../infra/i18n/money-format';

/**
 * One order as the export query yields it. Counts and sums may arrive as strings because node-postgres returns
 * bigint/numeric (e.g. `COUNT(*)`) as text to avoid precision loss; integer strings are accepted for those.
 */
export interface OrderCsvRow {
  id: string;
  createdAt: Date | string;
  status: string;
  userEmail: string;
  totalCents: number | string;
  refundedCents: number | string;
  currency: string;
  itemCount: number | string;
  paymentIntentId: string | null;
}

const HEADER = [
  'order_id',
  'created_at',
  'status',
  'customer_email',
  'total',
  'refunded',
  'currency',
  'items',
  'payment_intent_id',
];

// RFC 4180 §2: records end in CRLF, and fields holding a separator, a quote or a line break are quoted.
const EOL = '\r\n';
const NEEDS_QUOTES = /[",\r\n]/;
const INTEGER = /^-?\d+$/;

/*
 * Spreadsheet apps evaluate a cell that starts with one of these as a formula, so a customer who registers
 * the e-mail `=HYPERLINK("http://evil",...)@x.io` could run a formula on the machine of whoever opens the
 * export (OWASP "CSV Injection"). A leading apostrophe makes Excel/Sheets/LibreOffice show the text as typed.
 * Only free-text columns get this: the amount columns are produced by us from integers, and prefixing a
 * negative amount ("-5.00") would turn a number into text and break sums in the sheet.
 */
const FORMULA_TRIGGER = /^[=+\-@\t\r]/;

function quote(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function text(value: string | null | undefined): string {
  const raw = value ?? '';
  return quote(FORMULA_TRIGGER.test(raw) ? `'${raw}` : raw);
}

function integer(value: number | string, column: string): number {
  const parsed = typeof value === 'string' && INTEGER.test(value.trim()) ? Number(value.trim()) : value;
  if (typeof parsed !== 'number' || !Number.isSafeInteger(parsed)) {
    throw new TypeError(`${column} must be an integer, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

function isoTimestamp(value: Date | string): string {
  // Strings are what pg returns for timestamptz when its Date parser is disabled; they carry an offset, so
  // Date parses them unambiguously. A string without offset would be read as local time: callers pass UTC.
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new TypeError(`createdAt is not a valid date: ${String(value)}`);
  return date.toISOString();
}

function toRecord(row: OrderCsvRow): string {
  return [
    text(row.id),
    isoTimestamp(row.createdAt),
    text(row.status),
    text(row.userEmail),
    centsToDecimal(integer(row.totalCents, 'totalCents')),
    centsToDecimal(integer(row.refundedCents, 'refundedCents')),
    text(row.currency.trim()),
    String(integer(row.itemCount, 'itemCount')),
    text(row.paymentIntentId),
  ].join(',');
}

/**
 * Object-mode rows in, CSV text out (header first, CRLF line endings). A row that cannot be represented
 * faithfully fails the stream instead of writing a wrong number into an export someone will reconcile.
 * Backpressure comes for free from Transform, so a DB cursor piped through it is read only as fast as
 * the HTTP client downloads.
 */
export function createOrdersCsvTransform(): Transform {
  return new Transform({
    writableObjectMode: true,
    readableObjectMode: false,
    construct(callback) {
      // Pushed up front so an export with no orders is still a valid CSV with its header.
      this.push(HEADER.join(',') + EOL);
      callback();
    },
    transform(row: OrderCsvRow, _encoding, callback) {
      let record: string;
      try {
        record = toRecord(row);
      } catch (error) {
        callback(error as Error);
        return;
      }
      callback(null, record + EOL);
    },
  });
}
