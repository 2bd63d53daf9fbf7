import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

/** argon2id hashing. `verifyAgainstNothing` costs the same as a real check, so timing reveals no emails. */
@Injectable()
export class PasswordHasher {
  private readonly decoy = argon2.hash('decoy-password-never-matches');

  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id });
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  async verifyAgainstNothing(password: string): Promise<false> {
    await this.verify(await this.decoy, password);
    return false;
  }
}
