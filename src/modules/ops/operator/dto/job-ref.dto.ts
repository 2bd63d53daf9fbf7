import { ApiProperty } from '@nestjs/swagger';
import { IsEnum, IsString, Matches } from 'class-validator';

import { QueueName } from '../../../../infra/queue/queue-names';

export class JobRefDto {
  @ApiProperty({ enum: QueueName })
  @IsEnum(QueueName)
  queue: QueueName;

  @ApiProperty()
  @IsString()
  @Matches(/^[A-Za-z0-9:_-]{1,200}$/)
  jobId: string;
}
