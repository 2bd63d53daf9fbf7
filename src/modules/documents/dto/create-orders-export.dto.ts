import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum } from 'class-validator';

import { IsIsoDateTime } from '../../../infra/http/is-iso-date-time';
import { OptionalNotNull } from '../../../infra/http/optional-not-null';
import { OrderStatus } from '../../orders/order-state';

export class CreateOrdersExportDto {
  @ApiPropertyOptional({ enum: OrderStatus })
  @OptionalNotNull()
  @IsEnum(OrderStatus)
  status?: OrderStatus;

  @ApiPropertyOptional({ format: 'date-time', description: 'orders created at or after (ISO 8601)' })
  @OptionalNotNull()
  @IsIsoDateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'orders created before (ISO 8601)' })
  @OptionalNotNull()
  @IsIsoDateTime()
  to?: string;
}
