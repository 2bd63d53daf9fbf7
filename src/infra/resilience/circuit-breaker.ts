import { CircuitOpenError } from './circuit-open.error';

export enum CircuitState {
  Closed = 'closed',
  Open = 'open',
  HalfOpen = 'half-open',
}

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one probe call is let through. */
  openMs: number;
  /**
   * Which errors count as failures; default all. An error it excludes (e.g. a 4xx: the dependency answered,
   * the request was wrong) counts as a success: it resets the streak and closes a half-open circuit.
   */
  isFailure?: (error: unknown) => boolean;
  /** Called after every transition. Errors it throws are ignored (a logging bug must not wedge the circuit). */
  onStateChange?: (state: CircuitState, previous: CircuitState) => void;
  /** Clock in ms; injectable so tests move time without timers. */
  now?: () => number;
  /** Named in CircuitOpenError messages, e.g. 'erp'. */
  name?: string;
}

/**
 * Stops calling a dependency that keeps failing, so callers fail fast instead of each waiting for a timeout.
 * closed → (failureThreshold consecutive failures) → open → (openMs later, next call) → half-open: that one
 * call is the probe → closed on success, open again on failure. Callers arriving while open or during the
 * probe get CircuitOpenError without the function being called.
 *
 * No timers: time is only read when a call arrives, so an idle breaker stays "open" until someone asks.
 */
export class CircuitBreaker {
  private current = CircuitState.Closed;
  private consecutiveFailures = 0;
  private openedAt = 0;
  // Bumped on every transition. A call's outcome only counts if no transition happened while it ran: a slow
  // call that started while closed must not close a circuit that opened meanwhile, nor re-open it later.
  private generation = 0;
  private readonly now: () => number;
  private readonly isFailure: (error: unknown) => boolean;

  constructor(private readonly options: CircuitBreakerOptions) {
    if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) {
      throw new RangeError(`failureThreshold must be a positive integer, got ${options.failureThreshold}`);
    }
    if (!Number.isFinite(options.openMs) || options.openMs < 0) {
      throw new RangeError(`openMs must be a non-negative number, got ${options.openMs}`);
    }
    this.now = options.now ?? Date.now;
    this.isFailure = options.isFailure ?? (() => true);
  }

  get state(): CircuitState {
    return this.current;
  }

  /** Runs `fn` unless the circuit is open; rejects with CircuitOpenError (fn not called) or fn's own error. */
  async execute<T>(fn: () => Promise<T>): Promise<T> {
    const generation = this.admit();
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      this.recordError(generation, error);
      throw error;
    }
    this.recordSuccess(generation);
    return result;
  }

  private admit(): number {
    if (this.current === CircuitState.Closed) return this.generation;
    if (this.current === CircuitState.HalfOpen) {
      // Half-open lasts exactly as long as the probe; the probe may fail, so the honest hint is a full openMs.
      throw new CircuitOpenError(this.options.openMs, this.options.name);
    }
    const remainingMs = this.openedAt + this.options.openMs - this.now();
    if (remainingMs > 0) throw new CircuitOpenError(remainingMs, this.options.name);
    this.transition(CircuitState.HalfOpen);
    return this.generation;
  }

  private recordError(generation: number, error: unknown): void {
    if (generation !== this.generation) return;
    let counts = true;
    try {
      counts = this.isFailure(error);
    } catch {
      // A throwing predicate must still settle the call, or a probe would leave the circuit half-open forever.
    }
    if (!counts) return this.recordSuccess(generation);
    if (this.current === CircuitState.HalfOpen) return this.open();
    this.consecutiveFailures++;
    if (this.consecutiveFailures >= this.options.failureThreshold) this.open();
  }

  private recordSuccess(generation: number): void {
    if (generation !== this.generation) return;
    this.consecutiveFailures = 0;
    if (this.current === CircuitState.HalfOpen) this.transition(CircuitState.Closed);
  }

  private open(): void {
    this.openedAt = this.now();
    this.transition(CircuitState.Open);
  }

  private transition(next: CircuitState): void {
    const previous = this.current;
    this.current = next;
    this.generation++;
    this.consecutiveFailures = 0;
    try {
      this.options.onStateChange?.(next, previous);
    } catch {
      // See onStateChange: the transition has happened and must stand.
    }
  }
}
