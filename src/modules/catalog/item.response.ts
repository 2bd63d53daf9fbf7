import { ApiProperty } from '@nestjs/swagger';

import { ItemEntity } from './item.entity';

export class ItemResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: 'integer', description: 'Price in minor units (cents)' }) priceCents: number;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ type: 'integer' }) stock: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ItemPageResponse {
  @ApiProperty({ type: [ItemResponse] }) data: ItemResponse[];
  @ApiProperty({ type: 'integer' }) total: number;
  @ApiProperty({ type: 'integer' }) page: number;
  @ApiProperty({ type: 'integer' }) limit: number;
}

export function toItemResponse(item: ItemEntity): ItemResponse {
  return {
    id: item.id,
    sku: item.sku,
    name: item.name,
    priceCents: item.priceCents,
    currency: item.currency.trim(),
    stock: item.stock,
    createdAt: item.createdAt.toISOString(),
    updatedAt: item.updatedAt.toISOString(),
  };
}
