import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { TransactionRunner } from '../../infra/database/transaction-runner';
import { ChangePasswordDto } from './dto/change-password.dto';
import { UpdateProfileDto } from './dto/update-profile.dto';
import { PasswordHasher } from './password-hasher';
import { UserEntity } from './user.entity';
import { UserRole } from '../access/user-role';
import { UserNotFoundError, WrongCurrentPasswordError } from './users.errors';
import { UsersRepository } from './users.repository';

export interface Registration {
  email: string;
  password: string;
  name: string;
  language?: string;
}

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly tx: TransactionRunner,
  ) {}

  /**
   * Creates a customer (the role is never taken from the caller). The password is hashed before the
   * transaction opens: argon2 takes tens of milliseconds, and no pooled connection may wait on it.
   */
  async register(input: Registration): Promise<UserEntity> {
    const passwordHash = await this.hasher.hash(input.password);
    return this.tx.run((em) =>
      this.users.insert(em, {
        email: input.email.toLowerCase(),
        name: input.name,
        passwordHash,
        role: UserRole.Customer,
        language: input.language,
      }),
    );
  }

  /** The user when the credentials match; null otherwise, in the same time whether or not the email exists. */
  async verifyCredentials(email: string, password: string): Promise<UserEntity | null> {
    const user = await this.users.findByEmail(email);
    if (!user) return this.hasher.verifyAgainstNothing(password).then(() => null);
    return (await this.hasher.verify(user.passwordHash, password)) ? user : null;
  }

  /** Email addresses of these users (unknown ids are left out). */
  async emailsOf(ids: string[]): Promise<Map<string, string>> {
    const users = await this.users.findByIds([...new Set(ids)]);
    return new Map(users.map((u) => [u.id, u.email]));
  }

  async get(id: string): Promise<UserEntity> {
    const user = await this.users.findById(id);
    if (!user) throw new UserNotFoundError();
    return user;
  }

  async updateProfile(id: string, patch: UpdateProfileDto): Promise<UserEntity> {
    await this.tx.run((em) => this.users.update(em, id, { ...patch }));
    return this.get(id);
  }

  /**
   * Changes the password after checking the current one. `onChanged` runs in the same transaction
   * (the auth module uses it to revoke the user's other sessions).
   */
  async changePassword(
    id: string,
    input: ChangePasswordDto,
    onChanged: (em: EntityManager) => Promise<void>,
  ): Promise<void> {
    const user = await this.get(id);
    if (!(await this.hasher.verify(user.passwordHash, input.currentPassword)))
      throw new WrongCurrentPasswordError();
    const passwordHash = await this.hasher.hash(input.newPassword);
    await this.tx.run(async (em) => {
      await this.users.update(em, id, { passwordHash });
      await onChanged(em);
    });
  }

  /**
   * Creates an admin (operators' command line; registration only ever makes customers). Hashed as
   * registration does; an email that exists is EmailTakenError. `onCreated` runs in the same transaction
   * (the operator console writes its audit row there).
   */
  async createAdmin(
    input: Registration,
    onCreated: (em: EntityManager, user: UserEntity) => Promise<void>,
  ): Promise<UserEntity> {
    const passwordHash = await this.hasher.hash(input.password);
    return this.tx.run(async (em) => {
      const user = await this.users.insert(em, {
        email: input.email.toLowerCase(),
        name: input.name,
        passwordHash,
        role: UserRole.Admin,
        language: input.language,
      });
      await onCreated(em, user);
      return user;
    });
  }

  /** Seeding: creates an admin with this email unless one exists. */
  async ensureAdmin(email: string, password: string): Promise<boolean> {
    const passwordHash = await this.hasher.hash(password);
    return this.tx.run((em) =>
      this.users.insertIfAbsent(em, {
        email: email.toLowerCase(),
        name: 'Admin',
        passwordHash,
        role: UserRole.Admin,
      }),
    );
  }
}
