import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Length, Max, Min } from 'class-validator';

import { OptionalNotNull } from '../../../infra/http/optional-not-null';

export class RefundOrderDto {
  @ApiPropertyOptional({ description: 'minor units; omitted = everything still refundable' })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(100_000_000_000)
  amountCents?: number;

  @ApiProperty() @IsString() @Length(1, 500) reason: string;
}
