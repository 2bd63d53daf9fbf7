import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

import { ConcurrencyLimit } from '../../infra/resilience/concurrency-limit';

/**
 * argon2id with OWASP's Password Storage Cheat Sheet parameters (m = 19 MiB, t = 2, p = 1): ~19 MiB and one
 * thread per hash, where argon2's defaults take 64 MiB and four threads. Hashes made with other parameters still
 * verify (they are encoded in the hash).
 */
const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * Hashes (and checks) in flight at once in this process; the rest wait their turn. argon2 runs on libuv's
 * thread pool: a sign-up storm must not take every pool thread (file I/O shares them) nor every core from the
 * requests that do not hash, and its memory stays bounded (IN_FLIGHT × 19 MiB).
 */
const IN_FLIGHT = 2;

/** argon2id hashing. `verifyAgainstNothing` costs the same as a real check, so timing reveals no emails. */
@Injectable()
export class PasswordHasher {
  private readonly inFlight = new ConcurrencyLimit(IN_FLIGHT);
  private readonly decoy = argon2.hash('decoy-password-never-matches', HASH_OPTIONS);

  hash(password: string): Promise<string> {
    return this.inFlight.run(() => argon2.hash(password, HASH_OPTIONS));
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await this.inFlight.run(() => argon2.verify(hash, password));
    } catch {
      return false;
    }
  }

  async verifyAgainstNothing(password: string): Promise<false> {
    await this.verify(await this.decoy, password);
    return false;
  }
}
