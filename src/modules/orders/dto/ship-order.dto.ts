import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class ShipOrderDto {
  @ApiProperty({ example: 'DHL' }) @IsString() @Length(1, 100) carrier: string;
  @ApiProperty({ example: '00340434161094042557' }) @IsString() @Length(1, 100) trackingNumber: string;
}
