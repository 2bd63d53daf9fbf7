import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export interface CorrelationStore {
  correlationId: string;
}

const storage = new AsyncLocalStorage<CorrelationStore>();

const WELL_FORMED = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;

export const CORRELATION_HEADER = 'x-correlation-id';

/**
 * The correlation id of the current request or job, carried by AsyncLocalStorage so that services,
 * outbox rows and jobs can read it without it being passed through every call.
 */
export const CorrelationContext = {
  run<T>(correlationId: string, fn: () => T): T {
    return storage.run({ correlationId }, fn);
  },
  current(): string | undefined {
    return storage.getStore()?.correlationId;
  },
  /** Returns the header value when it is a well-formed id (8-128 safe characters), else a new UUID. */
  fromHeader(value: string | string[] | undefined): string {
    const candidate = Array.isArray(value) ? value[0] : value;
    return candidate && WELL_FORMED.test(candidate) ? candidate : randomUUID();
  },
};
