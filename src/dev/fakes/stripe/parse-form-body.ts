/**
 * Decodes Stripe's `application/x-www-form-urlencoded` bracket notation into nested values: `metadata[orderId]=42`
 * becomes `{ metadata: { orderId: '42' } }` and `expand[]=a&expand[]=b` becomes `{ expand: ['a', 'b'] }`.
 *
 * The SDK sends arrays with explicit indexes (`expand[0]=a`). Those stay objects keyed by the index here, because
 * only the endpoint's schema knows whether `metadata[0]` is an array slot or a metadata key named "0";
 * `StripeParams.stringList()` reads both shapes as a list. Also used for GET query strings.
 */
export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

export class FormBodyError extends Error {
  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message);
    this.name = 'FormBodyError';
  }
}

// Keys that would reach Object.prototype through a plain object; a request must never be able to set them.
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);
const MAX_DEPTH = 8;
const APPEND = '';

export function parseFormBody(raw: string): FormObject {
  const root: FormObject = {};
  for (const pair of raw.split('&')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq === -1 ? pair : pair.slice(0, eq), pair);
    const value = decode(eq === -1 ? '' : pair.slice(eq + 1), key);
    assign(root, key, splitKey(key), value);
  }
  return root;
}

function decode(text: string, param: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new FormBodyError(`Invalid URL encoding in parameter: ${param}`, param);
  }
}

/** `a[b][]` → ['a', 'b', ''] where the empty segment means "append to an array". */
function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  const segments = [open === -1 ? key : key.slice(0, open)];
  let rest = open === -1 ? '' : key.slice(open);
  while (rest.length > 0) {
    const match = /^\[([^[\]]*)\]/.exec(rest);
    if (!match) throw new FormBodyError(`Invalid parameter name: ${key}`, key);
    segments.push(match[1]);
    rest = rest.slice(match[0].length);
  }
  if (segments[0] === '') throw new FormBodyError(`Invalid parameter name: ${key}`, key);
  if (segments.length > MAX_DEPTH) throw new FormBodyError(`Parameter is nested too deeply: ${key}`, key);
  if (segments.some((segment) => FORBIDDEN_SEGMENTS.has(segment))) {
    throw new FormBodyError(`Invalid parameter name: ${key}`, key);
  }
  return segments;
}

function assign(root: FormObject, key: string, segments: string[], value: string): void {
  let container: FormValue[] | FormObject = root;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const next = segments[i + 1];
    const last = next === undefined;
    if (Array.isArray(container)) {
      // Only `[]` may address an array; `a[]=x&a[k]=y` mixes a list and a hash.
      if (segment !== APPEND) throw conflict(key);
      if (last) {
        container.push(value);
        return;
      }
      const child: FormValue[] | FormObject = next === APPEND ? [] : {};
      container.push(child);
      container = child;
      continue;
    }
    if (segment === APPEND) throw conflict(key);
    const existing: FormValue | undefined = container[segment];
    if (last) {
      if (existing !== undefined && typeof existing !== 'string') throw conflict(key);
      // A repeated scalar keeps the last value.
      container[segment] = value;
      return;
    }
    if (existing === undefined) {
      const child: FormValue[] | FormObject = next === APPEND ? [] : {};
      container[segment] = child;
      container = child;
    } else if (typeof existing === 'string' || Array.isArray(existing) !== (next === APPEND)) {
      throw conflict(key);
    } else {
      container = existing;
    }
  }
}

function conflict(key: string): FormBodyError {
  return new FormBodyError(`Invalid array or hash for parameter: ${key}`, key);
}
