/** A response kept for replay: exactly the bytes and status the first request got. */
export interface StoredResponse {
  status: number;
  body: string;
  requestId: string;
}

export type IdempotencyDecision =
  | { kind: 'execute'; commit: (response: StoredResponse) => void; release: () => void }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' }
  | { kind: 'in_flight' };

type Entry =
  | { fingerprint: string; createdAt: number; state: 'in_flight' }
  | { fingerprint: string; createdAt: number; state: 'done'; response: StoredResponse };

// Stripe forgets keys after 24 hours; a replay after that executes again.
const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Stripe's Idempotency-Key semantics for POSTs. A key is claimed before the request executes and holds either
 * "in flight" or the finished response. Keys are scoped by API key, and the fingerprint is method, path and raw
 * body, so any change of endpoint or parameters under a used key is a mismatch.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly ttlMs = DEFAULT_TTL_MS) {}

  begin(scope: string, key: string, fingerprint: string): IdempotencyDecision {
    const id = `${scope}\u0000${key}`;
    const existing = this.entries.get(id);
    if (existing && Date.now() - existing.createdAt <= this.ttlMs) {
      if (existing.state === 'in_flight') return { kind: 'in_flight' };
      if (existing.fingerprint !== fingerprint) return { kind: 'mismatch' };
      return { kind: 'replay', response: existing.response };
    }
    const entry: Entry = { fingerprint, createdAt: Date.now(), state: 'in_flight' };
    this.entries.set(id, entry);
    return {
      kind: 'execute',
      commit: (response) => this.entries.set(id, { ...entry, state: 'done', response }),
      // Nothing executed (validation error, injected fault before the effect): Stripe keeps no result then, so
      // the same key may be retried and will execute.
      release: () => {
        if (this.entries.get(id) === entry) this.entries.delete(id);
      },
    };
  }
}
