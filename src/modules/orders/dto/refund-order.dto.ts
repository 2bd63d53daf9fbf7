import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class RefundOrderDto {
  @ApiPropertyOptional({ description: 'minor units; omitted = everything still refundable' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000_000_000)
  amountCents?: number;

  @ApiProperty() @IsString() @Length(1, 500) reason: string;
}
