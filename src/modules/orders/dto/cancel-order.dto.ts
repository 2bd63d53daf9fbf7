import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class CancelOrderDto {
  @ApiProperty() @IsString() @Length(1, 500) reason: string;
}
