import { ApiProperty } from '@nestjs/swagger';

import { ItemEntity } from './item.entity';

export class ItemResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Price in minor units (cents)' }) priceCents: number;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty() stock: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class ItemPageResponse {
  @ApiProperty({ type: [ItemResponse] }) data: ItemResponse[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() limit: number;
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
