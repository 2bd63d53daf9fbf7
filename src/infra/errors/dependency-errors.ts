/** Socket-level failures: the peer is down, restarting or unreachable. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** Postgres SQLSTATEs of a server that is shutting down, starting up or out of connections. */
const PG_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300']);
/** Messages of pg, pg-pool and ioredis (a Cluster too) when their connection is gone (they carry no code). */
const CONNECTION_LOST =
  /Connection terminated|timeout exceeded when trying to connect|Connection is closed|Stream isn't writeable|max retries per request|Client has encountered a connection error|Client was closed and is not queryable|the database system is (starting up|shutting down|in recovery mode)|None of startup nodes is available|Cluster isn't ready|Failed to refresh slots cache/i;
/** ioredis errors that say no node of a Redis Cluster answers (the last node's error is `lastNodeError`). */
const CLUSTER_DOWN = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);

/**
 * True when `error` (or what it wraps: TypeORM's driverError, a cause) says Postgres or Redis is unreachable
 * rather than that the request was wrong: the API answers 503 with Retry-After, the client retries.
 */
export function isDependencyUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 3) return false;
  const candidate = error as {
    code?: unknown;
    message?: unknown;
    name?: unknown;
    driverError?: unknown;
    cause?: unknown;
    lastNodeError?: unknown;
  };
  const code = typeof candidate.code === 'string' ? candidate.code : '';
  if (NETWORK_CODES.has(code) || PG_UNAVAILABLE.has(code) || code.startsWith('08')) return true;
  if (typeof candidate.name === 'string' && CLUSTER_DOWN.has(candidate.name)) return true;
  if (typeof candidate.message === 'string' && CONNECTION_LOST.test(candidate.message)) return true;
  return (
    isDependencyUnavailable(candidate.driverError, depth + 1) ||
    isDependencyUnavailable(candidate.cause, depth + 1) ||
    isDependencyUnavailable(candidate.lastNodeError, depth + 1)
  );
}

/**
 * Boot could not reach a dependency: carries which one and where, so the process's one fatal line names the
 * host and port whatever the driver's own message says (a timeout names neither).
 */
export class DependencyUnreachableError extends Error {
  constructor(
    readonly dependency: string,
    readonly target: string,
    cause: unknown,
  ) {
    super(`${dependency} unreachable at ${target}: ${describeCause(cause)}`, { cause });
    this.name = 'DependencyUnreachableError';
  }
}

/** A driver error's message; an AggregateError (Node tried IPv6 and IPv4) lists each attempt's. */
export function describeCause(cause: unknown): string {
  if (cause instanceof AggregateError && cause.errors.length)
    return cause.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))).join('; ');
  return cause instanceof Error ? cause.message || cause.name : String(cause);
}
