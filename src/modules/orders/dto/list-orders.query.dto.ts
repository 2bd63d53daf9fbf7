import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsOptional, IsUUID } from 'class-validator';

import { IsIsoDateTime } from '../../../infra/http/is-iso-date-time';
import { PaginationQueryDto } from '../../../infra/http/pagination.dto';
import { OrderStatus } from '../order-state';

export class ListOrdersQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: OrderStatus })
  @IsOptional()
  @IsEnum(OrderStatus)
  status?: OrderStatus;

  @ApiPropertyOptional({ format: 'date-time', description: 'created at or after (ISO 8601)' })
  @IsOptional()
  @IsIsoDateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'created before (ISO 8601)' })
  @IsOptional()
  @IsIsoDateTime()
  to?: string;

  @ApiPropertyOptional({ description: 'admin only: orders of this user', format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  userId?: string;
}
