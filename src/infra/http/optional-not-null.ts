import { ValidateIf } from 'class-validator';

/**
 * An optional DTO field: may be left out, but when present it is validated, `null` included. class-validator's
 * `@IsOptional()` also skips `null`, which then reaches the service as a value (a NOT NULL violation, a 500).
 */
export const OptionalNotNull = (): PropertyDecorator => ValidateIf((_, value) => value !== undefined);
