import { createHash } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { AppConfig } from '../../config/app-config';
import { TransactionRunner } from '../../infra/database/transaction-runner';
import { REDIS_CLIENT, RedisClient } from '../../infra/redis/redis.tokens';
import { IdempotencyRecord, IdempotencyRepository, IdempotencyScope } from './idempotency.repository';
import {
  IdempotencyKeyRequiredError,
  IdempotencyKeyReusedError,
  IdempotencyRequestInFlightError,
} from './orders.errors';

export interface IdempotentAnswer<T = unknown> {
  status: number;
  body: T;
}

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/** Stable JSON (sorted keys) so the same body always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * `Idempotency-Key` semantics shared by POST /orders and the admin money routes, scoped per user and route:
 * a replay returns the first answer; the same key with another request is 422 IDEMPOTENCY_KEY_REUSED; a
 * duplicate still in flight is 409 IDEMPOTENCY_REQUEST_IN_FLIGHT (a Redis marker, with the database key as
 * the backstop).
 */
@Injectable()
export class IdempotentRequests {
  constructor(
    private readonly keys: IdempotencyRepository,
    private readonly tx: TransactionRunner,
    private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
  ) {}

  /** Checks the header's format (1–255 printable ASCII characters). */
  requireKey(key: string | undefined): string {
    if (!key || !KEY_FORMAT.test(key)) throw new IdempotencyKeyRequiredError();
    return key;
  }

  hash(request: unknown): string {
    return createHash('sha256').update(canonical(request)).digest('hex');
  }

  find(userId: string, scope: IdempotencyScope, key: string): Promise<IdempotencyRecord | null> {
    return this.keys.find(userId, scope, key);
  }

  /** The stored answer of a replay, after checking it is the same request (422 otherwise). */
  answerOf(record: IdempotencyRecord, requestHash: string): IdempotentAnswer | null {
    if (record.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
    return record.responseStatus === null
      ? null
      : { status: record.responseStatus, body: record.responseBody };
  }

  /**
   * Runs `work` once per (user, scope, key): claim, work and answer commit in ONE transaction, so a request
   * either happened with its answer stored or did not happen at all. For routes whose effect is only database
   * writes (the outbox carries the rest).
   */
  async once<T>(
    userId: string,
    scope: IdempotencyScope,
    rawKey: string | undefined,
    request: unknown,
    work: (em: EntityManager) => Promise<IdempotentAnswer<T>>,
  ): Promise<IdempotentAnswer<T>> {
    const key = this.requireKey(rawKey);
    const requestHash = this.hash({ scope, request });
    const replay = await this.replayed<T>(userId, scope, key, requestHash);
    if (replay) return replay;
    return this.whileInFlight(userId, scope, key, requestHash, async () => {
      try {
        return await this.tx.run(async (em) => {
          await this.keys.claim(em, userId, scope, key, requestHash);
          const answer = await work(em);
          await this.keys.complete(em, userId, scope, key, answer);
          return answer;
        });
      } catch (error) {
        // A concurrent duplicate committed first (its claim blocked ours until then): answer what it answered.
        if (error instanceof IdempotencyRequestInFlightError) {
          const committed = await this.replayed<T>(userId, scope, key, requestHash);
          if (committed) return committed;
        }
        throw error;
      }
    });
  }

  /**
   * Holds the Redis in-flight marker of this key while `work` runs. A marker left by a process that died
   * expires after the longest a request can take, and the client's retry then proceeds.
   */
  async whileInFlight<T>(
    userId: string,
    scope: IdempotencyScope,
    key: string,
    requestHash: string,
    work: () => Promise<T>,
  ): Promise<T> {
    const marker = inFlightMarker(userId, scope, key);
    await this.claimInFlight(marker, requestHash);
    try {
      return await work();
    } finally {
      await this.redis.del(marker).catch(() => undefined);
    }
  }

  private async replayed<T>(
    userId: string,
    scope: IdempotencyScope,
    key: string,
    requestHash: string,
  ): Promise<IdempotentAnswer<T> | null> {
    const previous = await this.keys.find(userId, scope, key);
    if (!previous) return null;
    const answer = this.answerOf(previous, requestHash);
    if (!answer) throw new IdempotencyRequestInFlightError();
    return answer as IdempotentAnswer<T>;
  }

  /** How long a request can be in flight: every Stripe attempt timing out, plus slack for Postgres. */
  private inFlightTtlSeconds(): number {
    const { timeoutMs, maxRetries } = this.config.stripe;
    return Math.ceil((timeoutMs * (maxRetries + 1)) / 1000) + 5;
  }

  private async claimInFlight(marker: string, requestHash: string): Promise<void> {
    if (this.redis.status !== 'ready') return;
    let acquired: string | null;
    try {
      acquired = await this.redis.set(marker, requestHash, 'EX', this.inFlightTtlSeconds(), 'NX');
    } catch {
      return;
    }
    if (acquired) return;
    const holder = await this.redis.get(marker).catch(() => null);
    if (holder && holder !== requestHash) throw new IdempotencyKeyReusedError();
    throw new IdempotencyRequestInFlightError();
  }
}

/** Redis key marking "this user's key is being processed now" (the key is hashed: clients choose it). */
function inFlightMarker(userId: string, scope: IdempotencyScope, key: string): string {
  return `idem:${scope}:${userId}:${createHash('sha256').update(key).digest('hex')}`;
}
