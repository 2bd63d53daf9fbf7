import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import fc from 'fast-check';
import Redis from 'ioredis';
import type { Response } from 'supertest';

import { QueueName } from '../../src/infra/queue/queue-names';
import { TestApp } from '../setup/test-app';

/**
 * Shared pieces of the property-based fuzz suites (fuzz-*.int-spec.ts): hostile value generators, a way to
 * send any payload (raw JSON text included), the error-shape check, and a fingerprint of everything the app
 * can write, so a property can assert that rejected input changed nothing.
 */

// ---------------------------------------------------------------- payloads

/** JSON text spliced verbatim into a payload (numbers JSON.stringify cannot write, deep nesting, ...). */
export class RawJson {
  constructor(
    readonly text: string,
    readonly label: string,
  ) {}

  // fast-check prints counterexamples with this: a 1 MB value would drown the report.
  [fc.toStringMethod](): string {
    return `RawJson(${this.label})`;
  }
}

export function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    // Object.entries keeps an own "__proto__" key (made with Object.fromEntries), as a client could send it.
    const members = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export type Payload =
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; text: string | Buffer; contentType?: string; label: string }
  | { kind: 'form'; fields: Record<string, string | string[]> }
  | { kind: 'none' };

export type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

export interface Probe {
  method: Method;
  url: string;
  headers?: Record<string, string>;
  payload?: Payload;
}

export function describeProbe(probe: Probe): string {
  const p = probe.payload;
  const body =
    !p || p.kind === 'none'
      ? ''
      : p.kind === 'json'
        ? clip(toJson(p.value))
        : p.kind === 'raw'
          ? `<${p.label}, ${p.text.length} chars, ${p.contentType ?? 'application/json'}>`
          : clip(new URLSearchParams(flattenForm(p.fields)).toString());
  return `${probe.method.toUpperCase()} ${clip(probe.url)} ${body}`.trim();
}

const clip = (text: string, max = 300) =>
  text.length > max ? `${text.slice(0, max)}…(${text.length})` : text;

function flattenForm(fields: Record<string, string | string[]>): [string, string][] {
  return Object.entries(fields).flatMap(([k, v]): [string, string][] =>
    Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v]],
  );
}

export async function send(t: TestApp, probe: Probe): Promise<Response> {
  const req = t.http()[probe.method](probe.url);
  if (probe.headers) req.set(probe.headers);
  const p = probe.payload;
  if (!p || p.kind === 'none') return req;
  if (p.kind === 'json') return req.set('Content-Type', 'application/json').send(toJson(p.value));
  if (p.kind === 'raw') return req.set('Content-Type', p.contentType ?? 'application/json').send(p.text);
  return req
    .set('Content-Type', 'application/x-www-form-urlencoded')
    .send(new URLSearchParams(flattenForm(p.fields)).toString());
}

// ---------------------------------------------------------------- response checks

const ERROR_KEYS = ['statusCode', 'code', 'message', 'details', 'correlationId'];

/** Why `res` is not a well-formed error answer (empty when it is). */
function errorShapeProblems(res: Response): string[] {
  const problems: string[] = [];
  const body = res.body as Record<string, unknown> | undefined;
  if (!/^application\/json/.test(String(res.headers['content-type'])))
    problems.push(`content-type ${res.headers['content-type']}`);
  if (!body || typeof body !== 'object' || Array.isArray(body)) return [...problems, 'body is not an object'];
  const extra = Object.keys(body).filter((k) => !ERROR_KEYS.includes(k));
  if (extra.length) problems.push(`unexpected keys ${extra.join(',')}`);
  if (body.statusCode !== res.status) problems.push(`statusCode ${String(body.statusCode)}`);
  if (typeof body.code !== 'string' || !/^[A-Z][A-Z0-9_]+$/.test(body.code)) problems.push('code');
  if (typeof body.message !== 'string' || !body.message) problems.push('message');
  if (typeof body.correlationId !== 'string' || body.correlationId !== res.headers['x-correlation-id'])
    problems.push('correlationId does not match X-Correlation-Id');
  return problems;
}

function fail(probe: Probe, res: Response, problems: string[]): never {
  throw new Error(
    `${describeProbe(probe)}\n  → ${res.status} ${clip(res.text ?? '', 600)}\n  problems: ${problems.join('; ')}`,
  );
}

/** The request was refused: a 4xx in the standard error shape, with one of the `codes` expected for it. */
export function expectRejected(probe: Probe, res: Response, codes: readonly string[]): void {
  const problems = res.status >= 400 && res.status < 500 ? errorShapeProblems(res) : [`status ${res.status}`];
  if (!problems.length && !codes.includes(res.body.code))
    problems.push(`code ${res.body.code} not in ${codes.join('|')}`);
  if (problems.length) fail(probe, res, problems);
}

/** For input that may happen to be valid (reads): never a 5xx; a refusal has the standard shape and code. */
export function expectHandled(probe: Probe, res: Response, codes: readonly string[]): void {
  if (res.status >= 500) fail(probe, res, [`status ${res.status}`]);
  if (res.status >= 400) expectRejected(probe, res, codes);
}

/** Codes any JSON endpoint may answer to a body it cannot accept (before its own rules apply). */
export const BODY_CODES = [
  'VALIDATION_FAILED',
  // Fastify's parse errors: empty body, invalid JSON, prototype poisoning.
  'MALFORMED_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
] as const;

// ---------------------------------------------------------------- "nothing was written"

export interface WriteFingerprint {
  /** Per table: row count and an md5 over every row's text, so any insert, update or delete shows. */
  tables: Record<string, string>;
  /** BullMQ job counts per queue and state. */
  jobs: Record<string, number>;
  /** Idempotency in-flight markers left in Redis. */
  idempotencyMarkers: number;
  /** Own properties of the built-in prototypes (the app runs in this process: pollution would show here). */
  prototypes: string[];
}

export class WriteWatcher {
  private tables?: string[];
  private readonly raw: Redis;

  constructor(private readonly t: TestApp) {
    this.raw = new Redis(t.redis.url, { lazyConnect: true });
  }

  async fingerprint(): Promise<WriteFingerprint> {
    this.tables ??= (
      await this.t.db.query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables
          WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
      )
    ).map((r) => r.name);
    const rows = await this.t.db.query<{ name: string; n: number; digest: string }>(
      this.tables
        .map(
          (name) =>
            `SELECT '${name}' AS name, count(*)::int AS n,
                    md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS digest FROM "${name}" x`,
        )
        .join(' UNION ALL '),
    );
    const jobs: Record<string, number> = {};
    for (const name of Object.values(QueueName)) {
      const counts = await this.t.app.get<Queue>(getQueueToken(name)).getJobCounts();
      for (const [state, n] of Object.entries(counts)) jobs[`${name}:${state}`] = n;
    }
    const markers = await this.raw.keys(`${this.t.redis.prefix}idem:*`);
    return {
      tables: Object.fromEntries(rows.map((r) => [r.name, `${r.n} rows ${r.digest}`])),
      jobs,
      idempotencyMarkers: markers.length,
      prototypes: [Object.prototype, Array.prototype, Function.prototype].flatMap((p) =>
        Object.getOwnPropertyNames(p).sort(),
      ),
    };
  }

  /**
   * Runs `body` (a whole property) and asserts that nothing the app can write changed meanwhile, but for the
   * tables named in `except` (which the caller checks itself).
   */
  async expectNoWrites(body: () => Promise<void>, except: string[] = []): Promise<void> {
    const omit = (f: WriteFingerprint) => ({
      ...f,
      tables: Object.fromEntries(Object.entries(f.tables).filter(([name]) => !except.includes(name))),
    });
    const before = omit(await this.fingerprint());
    await body();
    expect(omit(await this.fingerprint())).toEqual(before);
  }

  async close(): Promise<void> {
    this.raw.disconnect();
  }
}

// ---------------------------------------------------------------- memory

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap in use after a full collection (Jest does not expose gc; V8 can be asked to). */
export function heapUsedAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export const MB = 1024 * 1024;

// ---------------------------------------------------------------- generators

/** Pieces of text that break naive handling: NUL, unpaired surrogates, bidi overrides, ZWJ emoji, BOM... */
const SNIPPETS = [
  '\u0000',
  '\uD800x',
  'x\uDFFF',
  '\u202Eevil\u202C',
  '\u2066\u2069',
  '\u200B',
  '\uFEFF',
  '👩‍👩‍👧‍👦',
  '🦄',
  'ﷺ',
  '\u0301\u0301\u0301',
  '\r\n',
  '\t',
  '\\',
  '"',
  "'",
  '<',
  '%',
  '${',
  '{{',
  '\u0085',
  '\u2028',
  'İ',
  'ß',
];

const CLASSIC = [
  "'; DROP TABLE users; --",
  "' OR '1'='1",
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '%00',
  '%2e%2e%2f',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'NaN',
  'Infinity',
  '-0',
  '1e308',
  '9007199254740993',
  '99999999999999999999999999999999',
  ' ',
  '',
];

export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc
    .array(fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({ maxLength: 3 })), { maxLength: 8 })
    .map((parts) => parts.join('')),
  fc.constantFrom(...CLASSIC),
);

/** Text guaranteed to carry a NUL or an unpaired surrogate: not representable in Postgres text/jsonb. */
export const unstorableText: fc.Arbitrary<string> = fc
  .tuple(
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.constantFrom('\u0000', 'a\u0000b', '\uD800x', 'x\uDC00', '\uDBFF!'),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
  )
  .map(([a, b, c]) => a + b + c);

export const hugeNumber: fc.Arbitrary<number> = fc.constantFrom(
  1e308,
  -1e308,
  2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER,
  2 ** 31,
  2 ** 32,
  2 ** 63,
  1e21,
  -(2 ** 31) - 1,
);

/** Number literals JSON.stringify cannot produce: they overflow to Infinity or lose precision on parse. */
export const rawNumber: fc.Arbitrary<RawJson> = fc
  .constantFrom('1e400', '-1e400', '9007199254740993', '123456789012345678901234567890', '-0.0', '1e-400')
  .map((text) => new RawJson(text, text));

/** A number-looking string, bigints included: the wrong type wherever a number is expected. */
export const numericString: fc.Arbitrary<string> = fc.oneof(
  fc.bigInt().map(String),
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 200n }).map(String),
  fc.integer().map(String),
  fc.double().map(String),
);

/** `depth` nested arrays or objects: parsers and validators that recurse would blow the stack on it. */
export function deepJson(depth: number, shape: 'array' | 'object' = 'array'): RawJson {
  const text =
    shape === 'array'
      ? '['.repeat(depth) + ']'.repeat(depth)
      : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  return new RawJson(text, `${shape} nested ${depth} deep`);
}

const scalar: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  fc.double(),
  hugeNumber,
  fc.boolean(),
  fc.constant(null),
);

/** Any JSON value, hostile at the leaves, a few levels deep, occasionally very deep. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 2, arbitrary: fc.array(scalar, { maxLength: 4 }) },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.tuple(fc.oneof(hostileText, fc.constantFrom('__proto__', 'constructor')), scalar), {
        maxLength: 4,
      })
      .map((entries) => Object.fromEntries(entries)),
  },
  { weight: 1, arbitrary: rawNumber },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 5000 }).map((d) => deepJson(d)) },
);

/** Anything that is not a string. */
export const notString: fc.Arbitrary<unknown> = hostileValue.filter((v) => typeof v !== 'string');

/** Anything that is not an object (a DTO body or nested DTO). */
export const notObject: fc.Arbitrary<unknown> = fc.oneof(
  scalar,
  fc.array(hostileValue, { maxLength: 3 }),
  rawNumber,
  fc.integer({ min: 50, max: 5000 }).map((d) => deepJson(d)),
);

/** A string the DTO's Length/MaxLength refuses: empty (when min ≥ 1) or over max (counted in code points). */
export function badLength(min: number, max: number): fc.Arbitrary<string> {
  const tooLong = fc
    .tuple(hostileText, fc.integer({ min: 1, max: 64 }))
    .map(([s, extra]) => 'x'.repeat(max + extra) + s);
  return min >= 1 ? fc.oneof(tooLong, fc.constant('')) : tooLong;
}

/** Invalid values for a string field with a length range. */
export function badString(min: number, max: number): fc.Arbitrary<unknown> {
  return fc.oneof(notString, badLength(min, max), unstorableText);
}

/** Invalid values for an integer field in [min, max]. */
export function badInt(min: number, max: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.double({ min: min - 1, max: max + 1, noInteger: true, noNaN: true }),
    fc.integer({ min: -(2 ** 40), max: min - 1 }),
    fc.integer({ min: max + 1, max: Number.MAX_SAFE_INTEGER }),
    hugeNumber.filter((n) => n < min || n > max),
    rawNumber.filter((r) => r.text !== '-0.0' && r.text !== '1e-400'),
    numericString,
    hostileValue.filter((v) => typeof v !== 'number' && !(v instanceof RawJson && /^-?\d/.test(v.text))),
  );
}

/** Invalid values for a field restricted to `allowed`. */
export function badEnum(allowed: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    hostileText.filter((s) => !allowed.includes(s)),
    fc.constantFrom(...allowed).map((s) => s.toLowerCase() + ' '),
    notString,
  );
}

/** Strings that are not UUIDs: real UUIDs with one character broken, and anything else. */
export const badUuid: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.uuid(), fc.nat(35), fc.constantFrom('g', 'Z', '-', '', 'ab', ' ', '\u0000', '٣', '%'))
    .map(([u, i, c]) => u.slice(0, i) + c + u.slice(i + 1))
    .filter((s) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)),
  fc.uuid().map((u) => `{${u}}`),
  fc.uuid().map((u) => u.replace(/-/g, '')),
  fc.uuid().map((u) => `urn:uuid:${u}`),
  hostileText.filter((s) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)),
);

/** Dates an ISO-8601 filter must refuse (out of range, not ISO, wrong type). */
export const badDate: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'yesterday',
      '2024-13-01',
      '2024-02-30',
      '2024-00-10',
      '2024-01-01T25:00:00Z',
      '2024-01-01T00:00:00+25:00',
      '31/12/2024',
      '',
      'now',
      '1e308',
      // ISO 8601 basic and week forms: valid ISO, but not what JavaScript's Date (and so the query) can read.
      '20240101',
      '20240101T000000Z',
      '2024-W01',
      '2024-W01-1',
    ),
  },
  { weight: 1, arbitrary: hostileText.filter((s) => !/^[\d+-]/.test(s)) },
  { weight: 1, arbitrary: notString },
);

/** A key a DTO does not declare, prototype-pollution keys included. */
export const unknownKey = (declared: readonly string[]): fc.Arbitrary<string> =>
  fc
    .oneof(
      fc.constantFrom(
        '__proto__',
        'constructor',
        'prototype',
        'toString',
        'valueOf',
        'role',
        'id',
        'userId',
        'status',
        'isAdmin',
      ),
      hostileText,
    )
    .filter((k) => !declared.includes(k));

export interface FieldRule {
  valid: unknown;
  invalid: fc.Arbitrary<unknown>;
  optional?: boolean;
}

export type ObjectSpec = Record<string, FieldRule>;

/**
 * JSON values a DTO described by `spec` must refuse: some fields corrupted, required fields missing, unknown
 * keys added (prototype-pollution keys among them), or no object at all.
 */
export function invalidObject(spec: ObjectSpec): fc.Arbitrary<unknown> {
  const keys = Object.keys(spec);
  const required = keys.filter((k) => !spec[k].optional);
  const valid = Object.fromEntries(keys.map((k) => [k, spec[k].valid]));
  const corrupted = fc
    .subarray(keys, { minLength: 1 })
    .chain((fields) => fc.tuple(...fields.map((f) => spec[f].invalid.map((v) => [f, v] as const))))
    .map((entries) => ({ ...valid, ...Object.fromEntries(entries) }));
  const extra = fc
    .array(fc.tuple(unknownKey(keys), hostileValue), { minLength: 1, maxLength: 3 })
    .map((entries) => Object.fromEntries([...Object.entries(valid), ...entries]));
  const variants: fc.Arbitrary<unknown>[] = [corrupted, corrupted, extra, notObject];
  if (required.length) {
    variants.push(
      fc
        .subarray(required, { minLength: 1 })
        .map((drop) => Object.fromEntries(Object.entries(valid).filter(([k]) => !drop.includes(k)))),
    );
  }
  return fc.oneof(...variants);
}

/** Whole request bodies a JSON endpoint must refuse: invalid JSON values, and broken JSON text. */
export function invalidBody(spec: ObjectSpec): fc.Arbitrary<Payload> {
  const valid = Object.fromEntries(Object.keys(spec).map((k) => [k, spec[k].valid]));
  const validText = JSON.stringify(valid);
  const withKey = (member: string) => `${validText.slice(0, -1)}${validText === '{}' ? '' : ','}${member}}`;
  const broken: Payload[] = [
    { kind: 'raw', text: '', label: 'empty' },
    { kind: 'raw', text: validText.slice(0, -1), label: 'truncated' },
    { kind: 'raw', text: `${validText}${validText}`, label: 'two documents' },
    { kind: 'raw', text: `\uFEFF${withKey('"unknownField":1')}`, label: 'BOM, unknown field' },
    { kind: 'raw', text: withKey('"__proto__":{"role":"admin"}'), label: '__proto__' },
    {
      kind: 'raw',
      text: withKey('"constructor":{"prototype":{"role":"admin"}}'),
      label: 'constructor.prototype',
    },
    { kind: 'raw', text: validText, contentType: 'text/plain', label: 'text/plain' },
    { kind: 'raw', text: validText, contentType: 'application/xml', label: 'xml' },
    { kind: 'raw', text: validText, contentType: 'multipart/form-data; boundary=x', label: 'multipart' },
  ];
  // No body at all is an empty DTO: refused only when the DTO has a required field.
  if (Object.values(spec).some((rule) => !rule.optional)) broken.push({ kind: 'none' });
  return fc.oneof(
    { weight: 8, arbitrary: invalidObject(spec).map((value): Payload => ({ kind: 'json', value })) },
    { weight: 1, arbitrary: fc.constantFrom(...broken) },
  );
}
