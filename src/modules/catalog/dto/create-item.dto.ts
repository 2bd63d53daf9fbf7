import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';

export const MAX_PRICE_CENTS = 100_000_000;
export const MAX_STOCK = 1_000_000_000;

export class CreateItemDto {
  @ApiProperty({ example: 'TSHIRT-BLK-M', pattern: '^[A-Za-z0-9._-]{1,64}$' })
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/)
  sku: string;

  @ApiProperty({ example: 'Black T-shirt (M)' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ description: 'Price in minor units (cents)', minimum: 0, maximum: MAX_PRICE_CENTS })
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE_CENTS)
  priceCents: number;

  @ApiProperty({ example: 'EUR', description: 'ISO 4217, upper case' })
  @IsString()
  @Matches(/^[A-Z]{3}$/)
  currency: string;

  @ApiProperty({ minimum: 0, maximum: MAX_STOCK })
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  stock: number;
}
