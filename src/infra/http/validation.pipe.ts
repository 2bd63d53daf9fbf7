import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';

import { FieldError, ValidationFailedError } from '../errors/common.errors';

/** Our DTOs nest three levels at most (orders.items[].itemId); anything far deeper is an attack. */
export const MAX_INPUT_DEPTH = 32;

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** NUL and unpaired UTF-16 surrogates: Postgres rejects both in text and jsonb (a 500 if they got that far). */
const storable = (text: string) => !text.includes('\u0000') && !UNPAIRED_SURROGATE.test(text);

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([code, message]) => ({ field, code, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * Keys Nest's ValidationPipe deletes silently before validating (`__proto__`, `constructor`, `prototype`), or
 * that the whitelist check mistakes for declared properties because every object inherits them (`toString`,
 * `valueOf`, `hasOwnProperty`, … found by the fuzz suite: `?toString=` passed). Unknown fields like any other:
 * refused.
 */
const PROTOTYPE_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/**
 * The first problem that must stop `value` before class-transformer and class-validator see it: nesting
 * deeper than MAX_INPUT_DEPTH (both recurse, and overflow the stack at a few thousand levels), a string
 * Postgres cannot store, or a prototype key. Iterative, so any depth is safe to inspect.
 */
export function inputProblem(value: unknown, root: string): FieldError | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  while (stack.length) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === 'string') {
      if (!storable(current)) {
        return {
          field: path,
          code: 'wellFormedText',
          message: `${path} must be text without NUL characters or unpaired surrogates`,
        };
      }
    } else if (current !== null && typeof current === 'object') {
      if (depth >= MAX_INPUT_DEPTH) {
        return { field: path, code: 'maxDepth', message: `${path} is nested too deeply` };
      }
      for (const [key, child] of Object.entries(current)) {
        const childPath = path ? `${path}.${key}` : key;
        if (PROTOTYPE_KEYS.has(key)) {
          return {
            field: childPath,
            code: 'whitelistValidation',
            message: `property ${key} should not exist`,
          };
        }
        stack.push({ value: child, path: childPath, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

const isPlainObject = (value: unknown) =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const isDtoClass = ({ metatype }: ArgumentMetadata) =>
  typeof metatype === 'function' && ![String, Number, Boolean, Object, Array].includes(metatype as never);

/** Screens input for what would crash the validator or the database, then validates as usual. */
class ScreeningValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // A missing body stands for an empty DTO (Nest's rule); JSON null, a string or an array is no DTO at all,
    // yet class-validator passes them (it validates nothing it cannot treat as an object).
    if (metadata.type === 'body' && value !== undefined && !isPlainObject(value) && isDtoClass(metadata)) {
      throw new ValidationFailedError([
        { field: 'body', code: 'isObject', message: 'body must be a JSON object' },
      ]);
    }
    if (metadata.type !== 'custom') {
      const problem = inputProblem(value, metadata.type === 'body' ? '' : (metadata.data ?? ''));
      if (problem) throw new ValidationFailedError([{ ...problem, field: problem.field || metadata.type }]);
    }
    return super.transform(value, metadata);
  }
}

/**
 * Global validation: unknown properties are rejected (no mass assignment), payloads are transformed to
 * their DTO classes, and failures become a VALIDATION_FAILED error with one entry per field and rule.
 */
export function createValidationPipe(): ValidationPipe {
  return new ScreeningValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailedError(flatten(errors)),
  });
}
