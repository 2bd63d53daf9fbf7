import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { InsufficientStockError, OrderItemNotFoundError } from './catalog.errors';

export interface StockLine {
  itemId: string;
  quantity: number;
}

export interface ReservedLine extends StockLine {
  sku: string;
  name: string;
  unitPriceCents: number;
  currency: string;
}

const byItemId = (a: StockLine, b: StockLine) => (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0);

/**
 * Stock of `items`, taken and given back in the caller's transaction. Every path locks the item rows in
 * item-id order, reservation and release alike, so concurrent orders and cancellations never deadlock.
 */
@Injectable()
export class StockRepository {
  /** Guarded take (`stock >= qty`) per line; throws when an item is missing or short (nothing is kept). */
  async reserve(em: EntityManager, lines: StockLine[]): Promise<ReservedLine[]> {
    const reserved: ReservedLine[] = [];
    for (const line of [...lines].sort(byItemId)) {
      const [rows]: [{ sku: string; name: string; price_cents: number; currency: string }[], number] =
        await em.query(
          `UPDATE items SET stock = stock - $2, updated_at = now()
          WHERE id = $1 AND deleted_at IS NULL AND stock >= $2
          RETURNING sku, name, price_cents, currency`,
          [line.itemId, line.quantity],
        );
      if (rows.length === 0) {
        const exists = await em.query(`SELECT 1 FROM items WHERE id = $1 AND deleted_at IS NULL`, [
          line.itemId,
        ]);
        throw exists.length
          ? new InsufficientStockError(line.itemId)
          : new OrderItemNotFoundError(line.itemId);
      }
      const row = rows[0];
      reserved.push({
        itemId: line.itemId,
        quantity: line.quantity,
        sku: row.sku,
        name: row.name,
        unitPriceCents: row.price_cents,
        currency: row.currency.trim(),
      });
    }
    return reserved;
  }

  /** Puts the lines' quantities back (rows locked in id order first). Returns the item ids. */
  async release(em: EntityManager, lines: StockLine[]): Promise<string[]> {
    const merged = new Map<string, number>();
    for (const line of lines) merged.set(line.itemId, (merged.get(line.itemId) ?? 0) + line.quantity);
    const ids = [...merged.keys()].sort();
    if (ids.length === 0) return [];
    await em.query(`SELECT id FROM items WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
    await em.query(
      `UPDATE items i SET stock = i.stock + l.quantity, updated_at = now()
         FROM unnest($1::uuid[], $2::int[]) AS l(item_id, quantity) WHERE i.id = l.item_id`,
      [ids, ids.map((id) => merged.get(id)!)],
    );
    return ids;
  }
}
