import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class OpsListQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 100;

  @ApiPropertyOptional({ description: 'stuck-outbox: rows unsent for longer than this (s)', default: 60 })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(30 * 86400)
  olderThanSeconds: number = 60;

  @ApiPropertyOptional({ description: 'audit: only entries for this target, e.g. order/<id>' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  target?: string;
}
