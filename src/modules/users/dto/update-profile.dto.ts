import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsString, Length, MaxLength } from 'class-validator';

import { OptionalNotNull } from '../../../infra/http/optional-not-null';

/** Only these fields can change; anything else (role, id, ...) is rejected by the validation pipe. */
export class UpdateProfileDto {
  @ApiPropertyOptional()
  @OptionalNotNull()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ enum: ['en', 'pt-BR'] })
  @OptionalNotNull()
  @IsIn(['en', 'pt-BR'])
  language?: string;
}
