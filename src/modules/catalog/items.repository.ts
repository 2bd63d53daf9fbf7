import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Repository } from 'typeorm';

import { isPgError, PgErrorCode } from '../../infra/database/pg-errors';
import { CreateItemDto } from './dto/create-item.dto';
import { UpdateItemDto } from './dto/update-item.dto';
import { ItemEntity } from './item.entity';
import { SkuTakenError } from './catalog.errors';

@Injectable()
export class ItemsRepository {
  constructor(@InjectRepository(ItemEntity) private readonly items: Repository<ItemEntity>) {}

  findLive(id: string): Promise<ItemEntity | null> {
    return this.items.findOneBy({ id, deletedAt: IsNull() });
  }

  async page(page: number, limit: number): Promise<[ItemEntity[], number]> {
    return this.items.findAndCount({
      where: { deletedAt: IsNull() },
      order: { createdAt: 'ASC', id: 'ASC' },
      skip: (page - 1) * limit,
      take: limit,
    });
  }

  async insert(em: EntityManager, input: CreateItemDto): Promise<ItemEntity> {
    const repo = em.getRepository(ItemEntity);
    return this.mapSkuConflict(input.sku, () => repo.save(repo.create({ ...input, deletedAt: null })));
  }

  /** Seeding: inserts the item unless a live item has the same sku. */
  async insertIfAbsent(em: EntityManager, input: CreateItemDto): Promise<boolean> {
    const rows: unknown[] = await em.query(
      `INSERT INTO items (sku, name, price_cents, currency, stock) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (sku) WHERE deleted_at IS NULL DO NOTHING RETURNING id`,
      [input.sku, input.name, input.priceCents, input.currency, input.stock],
    );
    return rows.length > 0;
  }

  /** Applies the patch to a live item; returns the updated row or null when there is none. */
  async update(em: EntityManager, id: string, patch: UpdateItemDto): Promise<ItemEntity | null> {
    const repo = em.getRepository(ItemEntity);
    const item = await repo.findOne({
      where: { id, deletedAt: IsNull() },
      lock: { mode: 'pessimistic_write' },
    });
    if (!item) return null;
    return this.mapSkuConflict(patch.sku ?? item.sku, () => repo.save(repo.merge(item, patch)));
  }

  async softDelete(em: EntityManager, id: string): Promise<boolean> {
    const result = await em
      .getRepository(ItemEntity)
      .update({ id, deletedAt: IsNull() }, { deletedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }

  private async mapSkuConflict<T>(sku: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isPgError(error, PgErrorCode.UniqueViolation, 'items_sku_key')) throw new SkuTakenError(sku);
      throw error;
    }
  }
}
