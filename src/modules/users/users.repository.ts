import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';

import { isPgError, PgErrorCode } from '../../infra/database/pg-errors';
import { UserEntity } from './user.entity';
import { UserRole } from '../access/user-role';
import { EmailTakenError } from './users.errors';

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string;
  role: UserRole;
  language?: string;
}

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  findByIds(ids: string[]): Promise<UserEntity[]> {
    return ids.length ? this.users.findBy({ id: In(ids) }) : Promise.resolve([]);
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ email: email.toLowerCase() });
  }

  async insert(em: EntityManager, user: NewUser): Promise<UserEntity> {
    try {
      return await em.getRepository(UserEntity).save(em.getRepository(UserEntity).create(user));
    } catch (error) {
      if (isPgError(error, PgErrorCode.UniqueViolation)) throw new EmailTakenError();
      throw error;
    }
  }

  /** Inserts the user unless the email exists; never touches an existing row. */
  async insertIfAbsent(em: EntityManager, user: NewUser): Promise<boolean> {
    const result = await em.createQueryBuilder().insert().into(UserEntity).values(user).orIgnore().execute();
    return (result.identifiers?.filter(Boolean).length ?? 0) > 0;
  }

  async update(
    em: EntityManager,
    id: string,
    patch: Partial<Pick<UserEntity, 'name' | 'email' | 'language' | 'passwordHash'>>,
  ): Promise<void> {
    try {
      await em.getRepository(UserEntity).update({ id }, patch);
    } catch (error) {
      if (isPgError(error, PgErrorCode.UniqueViolation)) throw new EmailTakenError();
      throw error;
    }
  }
}
