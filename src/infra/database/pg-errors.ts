import { QueryFailedError } from 'typeorm';

/** Postgres SQLSTATE codes Dispatch reacts to. */
export const PgErrorCode = {
  UniqueViolation: '23505',
  CheckViolation: '23514',
  ForeignKeyViolation: '23503',
  SerializationFailure: '40001',
  DeadlockDetected: '40P01',
} as const;

/** A deadlock or serialisation failure: the transaction was rolled back and may simply be run again. */
export function isTransientTransactionError(error: unknown): boolean {
  const code =
    (error as { driverError?: { code?: unknown }; code?: unknown } | null)?.driverError?.code ??
    (error as { code?: unknown } | null)?.code;
  return code === PgErrorCode.SerializationFailure || code === PgErrorCode.DeadlockDetected;
}

export function isPgError(error: unknown, code: string, constraint?: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === code && (constraint === undefined || driverError.constraint === constraint);
}
