import { ApiProperty, getSchemaPath } from '@nestjs/swagger';

const CHECK_STATES = ['up', 'down'];

export class LiveResponse {
  @ApiProperty({ enum: ['ok'] }) status: 'ok';
}

export class ReadyChecksResponse {
  @ApiProperty({ enum: CHECK_STATES }) postgres: 'up' | 'down';
  @ApiProperty({ enum: CHECK_STATES }) redis: 'up' | 'down';
}

export class ReadyResponse {
  @ApiProperty({ enum: ['ok'] }) status: 'ok';
  @ApiProperty({ type: ReadyChecksResponse }) checks: ReadyChecksResponse;
}

export class QueueCountsResponse {
  @ApiProperty({ type: 'integer', description: 'waiting and prioritized jobs' }) waiting: number;
  @ApiProperty({ type: 'integer' }) active: number;
  @ApiProperty({ type: 'integer' }) delayed: number;
  @ApiProperty({ type: 'integer' }) failed: number;
}

export class QueueThresholdsResponse {
  @ApiProperty({ type: 'integer', description: 'QUEUE_MAX_WAITING' }) maxWaiting: number;
  @ApiProperty({ type: 'integer', description: 'QUEUE_MAX_FAILED' }) maxFailed: number;
}

export class QueuesHealthResponse {
  @ApiProperty({ enum: ['ok'] }) status: 'ok';
  @ApiProperty({ type: QueueThresholdsResponse }) thresholds: QueueThresholdsResponse;
  @ApiProperty({
    type: 'object',
    description: 'job counts by queue name',
    additionalProperties: { $ref: getSchemaPath(QueueCountsResponse) },
  })
  queues: Record<string, QueueCountsResponse>;
}
