import { StripeApiError } from './fake-stripe.errors';
import { Metadata } from './fake-stripe.objects';
import { CreatedRange } from './list-page';
import { FormObject, FormValue } from './parse-form-body';

// Stripe's documented metadata limits; enforcing them here surfaces an oversized orderId/correlationId in dev.
const METADATA_MAX_KEYS = 50;
const METADATA_MAX_KEY_LENGTH = 40;
const METADATA_MAX_VALUE_LENGTH = 500;

/**
 * Typed, validating reads of one endpoint's decoded form parameters. Every failure is the 400 Stripe would
 * answer (`parameter_missing`, `parameter_unknown`, `parameter_invalid_integer`, …), so a wrong call from
 * Dispatch fails here the way it would against Stripe instead of being silently accepted.
 */
export class StripeParams {
  private constructor(
    private readonly values: FormObject,
    private readonly prefix: string,
  ) {}

  /** Rejects any parameter outside `allowed`, as Stripe does. */
  static of(values: FormObject, allowed: readonly string[], prefix = ''): StripeParams {
    const params = new StripeParams(values, prefix);
    for (const name of Object.keys(values)) {
      if (!allowed.includes(name)) throw StripeApiError.unknownParam(params.path(name));
    }
    return params;
  }

  has(name: string): boolean {
    return this.values[name] !== undefined && this.values[name] !== '';
  }

  string(name: string): string | undefined {
    const value = this.values[name];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string')
      throw StripeApiError.invalidRequest(`Invalid string: ${this.path(name)}`, this.at(name));
    return value;
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw StripeApiError.missingParam(this.path(name));
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      throw StripeApiError.invalidRequest(
        `Invalid ${this.path(name)}: must be one of ${allowed.join(', ')}`,
        this.at(name, 'parameter_invalid_string'),
      );
    }
    return value as T;
  }

  integer(name: string, limits: { min?: number; max?: number } = {}): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
      throw StripeApiError.invalidRequest(
        `Invalid integer: ${raw}`,
        this.at(name, 'parameter_invalid_integer'),
      );
    }
    const value = Number(raw);
    if (limits.min !== undefined && value < limits.min) {
      throw StripeApiError.invalidRequest(
        `This value must be greater than or equal to ${limits.min}.`,
        this.at(name, name === 'amount' ? 'amount_too_small' : 'parameter_invalid_integer'),
      );
    }
    if (limits.max !== undefined && value > limits.max) {
      throw StripeApiError.invalidRequest(
        `This value must be less than or equal to ${limits.max}.`,
        this.at(name, name === 'amount' ? 'amount_too_large' : 'parameter_invalid_integer'),
      );
    }
    return value;
  }

  requiredInteger(name: string, limits: { min?: number; max?: number } = {}): number {
    const value = this.integer(name, limits);
    if (value === undefined) throw StripeApiError.missingParam(this.path(name));
    return value;
  }

  boolean(name: string): boolean | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (raw !== 'true' && raw !== 'false') {
      throw StripeApiError.invalidRequest(`Invalid boolean: ${raw}`, this.at(name));
    }
    return raw === 'true';
  }

  /** A nested hash such as `automatic_payment_methods[enabled]`, read with its own allowed keys. */
  hash(name: string, allowed: readonly string[]): StripeParams | undefined {
    const value = this.values[name];
    if (value === undefined || value === '') return undefined;
    if (typeof value === 'string' || Array.isArray(value)) {
      throw StripeApiError.invalidRequest(`Invalid hash: ${this.path(name)}`, this.at(name));
    }
    return StripeParams.of(value, allowed, this.path(name));
  }

  /** Lists arrive as `x[]=a` or, from the SDK, as `x[0]=a&x[1]=b` (an index-keyed hash after decoding). */
  stringList(name: string): string[] {
    const value = this.values[name];
    if (value === undefined || value === '') return [];
    const items = listItems(value);
    if (!items || items.some((item) => typeof item !== 'string')) {
      throw StripeApiError.invalidRequest(`Invalid array: ${this.path(name)}`, this.at(name));
    }
    return items as string[];
  }

  /** For an update: undefined when absent, null for `name=` (Stripe's "unset"), else the string. */
  nullableString(name: string): string | null | undefined {
    return this.values[name] === '' ? null : this.string(name);
  }

  /** `created=<timestamp>` or `created[gt|gte|lt|lte]=<timestamp>`, as list endpoints take it. */
  created(name = 'created'): CreatedRange | undefined {
    const value = this.values[name];
    if (value === undefined || value === '') return undefined;
    if (typeof value === 'string') return { eq: this.integer(name) };
    const range = this.hash(name, ['gt', 'gte', 'lt', 'lte']);
    return {
      gt: range?.integer('gt'),
      gte: range?.integer('gte'),
      lt: range?.integer('lt'),
      lte: range?.integer('lte'),
    };
  }

  metadata(name = 'metadata'): Metadata {
    const metadata: Metadata = {};
    for (const [key, item] of this.metadataEntries(name)) {
      // An empty value unsets the key.
      if (item !== '') metadata[key] = item;
    }
    this.checkMetadataSize(metadata, name);
    return metadata;
  }

  /**
   * Metadata of an update, applied to what the object has: keys are merged, `metadata[key]=` unsets one and
   * `metadata=` unsets all. Undefined when the request does not touch metadata.
   */
  metadataUpdate(name = 'metadata'): ((current: Metadata) => Metadata) | undefined {
    if (this.values[name] === undefined) return undefined;
    const entries = this.metadataEntries(name);
    const clearAll = this.values[name] === '';
    return (current) => {
      const next: Metadata = clearAll ? {} : { ...current };
      for (const [key, item] of entries) {
        if (item === '') delete next[key];
        else next[key] = item;
      }
      this.checkMetadataSize(next, name);
      return next;
    };
  }

  private metadataEntries(name: string): Array<[string, string]> {
    const value = this.values[name];
    // `metadata=` (empty) is Stripe's way to send "no metadata".
    if (value === undefined || value === '') return [];
    if (typeof value === 'string' || Array.isArray(value)) {
      throw StripeApiError.invalidRequest(`Invalid hash: ${this.path(name)}`, this.at(name));
    }
    return Object.entries(value).map(([key, item]) => {
      const param = `${this.path(name)}[${key}]`;
      if (typeof item !== 'string')
        throw StripeApiError.invalidRequest(`Invalid string: ${param}`, { param });
      if (key.length > METADATA_MAX_KEY_LENGTH) {
        throw StripeApiError.invalidRequest(
          `Metadata keys can have up to ${METADATA_MAX_KEY_LENGTH} characters.`,
          { param },
        );
      }
      if (item.length > METADATA_MAX_VALUE_LENGTH) {
        throw StripeApiError.invalidRequest(
          `Metadata values can have up to ${METADATA_MAX_VALUE_LENGTH} characters.`,
          { param },
        );
      }
      return [key, item];
    });
  }

  private checkMetadataSize(metadata: Metadata, name: string): void {
    if (Object.keys(metadata).length > METADATA_MAX_KEYS) {
      throw StripeApiError.invalidRequest(
        `Metadata can have up to ${METADATA_MAX_KEYS} keys.`,
        this.at(name),
      );
    }
  }

  private path(name: string): string {
    return this.prefix ? `${this.prefix}[${name}]` : name;
  }

  private at(name: string, code?: string): { param: string; code?: string } {
    return code ? { param: this.path(name), code } : { param: this.path(name) };
  }
}

function listItems(value: FormValue): FormValue[] | undefined {
  if (typeof value === 'string') return undefined;
  if (Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (!keys.every((key) => /^\d+$/.test(key))) return undefined;
  return keys.sort((a, b) => Number(a) - Number(b)).map((key) => value[key]);
}
