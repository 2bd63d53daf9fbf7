import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

import { OptionalNotNull } from '../../../infra/http/optional-not-null';

export class OrderItemDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  itemId: string;

  @ApiProperty({ minimum: 1, maximum: 1000 })
  @IsInt()
  @Min(1)
  @Max(1000)
  quantity: number;
}

export class ShippingAddressDto {
  @ApiPropertyOptional({ enum: ['male', 'female', 'other'], description: 'used for the ERP salutation' })
  @OptionalNotNull()
  @IsIn(['male', 'female', 'other'])
  salutation?: 'male' | 'female' | 'other';

  @ApiProperty() @IsString() @Length(1, 200) name: string;
  @ApiProperty() @IsString() @Length(1, 200) line1: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @Length(1, 200) line2?: string;
  @ApiProperty() @IsString() @Length(1, 100) city: string;
  @ApiProperty() @IsString() @Length(1, 20) postalCode: string;

  @ApiProperty({ example: 'DE', description: 'ISO 3166-1 alpha-2' })
  @IsString()
  @Matches(/^[A-Z]{2}$/)
  country: string;
}

export class CreateOrderDto {
  @ApiProperty({ type: [OrderItemDto], minItems: 1, maxItems: 50 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  // Without it a nested array ([[]], [[line]]) passes ValidateNested, which descends into arrays.
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => OrderItemDto)
  items: OrderItemDto[];

  @ApiProperty({ type: ShippingAddressDto })
  // ValidateNested alone lets an array through (it validates each element, of which [] has none).
  @IsObject()
  @ValidateNested()
  @Type(() => ShippingAddressDto)
  shippingAddress: ShippingAddressDto;
}
