import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { AppConfig } from '../../config/app-config';
import { TransactionRunner } from '../../infra/database/transaction-runner';
import { Page } from '../../infra/http/pagination.dto';
import { CacheService } from '../../infra/redis/cache.service';
import { CreateItemDto } from './dto/create-item.dto';
import { UpdateItemDto } from './dto/update-item.dto';
import { ItemNotFoundError } from './catalog.errors';
import { ItemResponse, toItemResponse } from './item.response';
import { ItemsRepository } from './items.repository';
import { ReservedLine, StockLine, StockRepository } from './stock.repository';

// One hash tag for every catalog key: a write deletes item keys and bumps the list generation in one pipeline,
// and a list read fetches the generation with its page in one MGET; on a Redis Cluster both need one slot.
const itemKey = (id: string) => `{catalog}:item:${id}`;
const LIST_GENERATION = '{catalog}:list:gen';
const listKey = (page: number, limit: number) => `{catalog}:list:${page}:${limit}`;

/**
 * Catalog reads are cache-aside in Redis. Every write invalidates after commit: the item's key is
 * deleted and the list generation bumped, which orphans every cached page at once (a page is stored
 * with the generation it was read under).
 */
@Injectable()
export class CatalogService {
  constructor(
    private readonly items: ItemsRepository,
    private readonly stock: StockRepository,
    private readonly tx: TransactionRunner,
    private readonly cache: CacheService,
    private readonly config: AppConfig,
  ) {}

  async list(page: number, limit: number): Promise<Page<ItemResponse>> {
    return this.cache.getOrSetGenerational(
      LIST_GENERATION,
      listKey(page, limit),
      this.config.catalog.cacheTtlSeconds,
      async () => {
        const [rows, total] = await this.items.page(page, limit);
        return { data: rows.map(toItemResponse), total, page, limit };
      },
    );
  }

  async get(id: string): Promise<ItemResponse> {
    const item = await this.cache.getOrSet(itemKey(id), this.config.catalog.cacheTtlSeconds, async () => {
      const row = await this.items.findLive(id);
      return row ? toItemResponse(row) : null;
    });
    if (!item) throw new ItemNotFoundError(id);
    return item;
  }

  async create(input: CreateItemDto): Promise<ItemResponse> {
    const item = await this.tx.run((em) => this.items.insert(em, input));
    await this.invalidate(item.id);
    return toItemResponse(item);
  }

  async update(id: string, patch: UpdateItemDto): Promise<ItemResponse> {
    const item = await this.tx.run((em) => this.items.update(em, id, patch));
    if (!item) throw new ItemNotFoundError(id);
    await this.invalidate(id);
    return toItemResponse(item);
  }

  async remove(id: string): Promise<void> {
    const deleted = await this.tx.run((em) => this.items.softDelete(em, id));
    if (!deleted) throw new ItemNotFoundError(id);
    await this.invalidate(id);
  }

  /** Seeding: creates the items whose sku is not taken; returns how many were created. */
  async ensureItems(items: CreateItemDto[]): Promise<number> {
    let created = 0;
    await this.tx.run(async (em) => {
      for (const item of items) if (await this.items.insertIfAbsent(em, item)) created++;
    });
    if (created) await this.cache.bumpGeneration(LIST_GENERATION);
    return created;
  }

  /**
   * Takes stock for an order's lines in the caller's transaction (guarded, in item-id order); throws
   * InsufficientStockError or OrderItemNotFoundError. Invalidate the items after commit.
   */
  reserveStock(em: EntityManager, lines: StockLine[]): Promise<ReservedLine[]> {
    return this.stock.reserve(em, lines);
  }

  /** Gives stock back in the caller's transaction (rows locked in item-id order). Returns the item ids. */
  releaseStock(em: EntityManager, lines: StockLine[]): Promise<string[]> {
    return this.stock.release(em, lines);
  }

  /** Drops cached copies of items whose stock or data changed outside this service (e.g. orders). */
  async invalidate(...ids: string[]): Promise<void> {
    await this.cache.invalidate(ids.map(itemKey), [LIST_GENERATION]);
  }
}
