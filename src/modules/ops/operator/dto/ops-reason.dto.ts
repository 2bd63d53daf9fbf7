import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class OpsReasonDto {
  @ApiProperty({ description: 'why the operator acts (kept in the audit trail)' })
  @IsString()
  @Length(3, 500)
  reason: string;
}
