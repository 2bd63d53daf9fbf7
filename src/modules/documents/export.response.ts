import { ApiProperty } from '@nestjs/swagger';

import { CreateOrdersExportDto } from './dto/create-orders-export.dto';

const EXPORT_STATUSES = ['pending', 'processing', 'completed', 'failed'];

/** 202 of an export request: a documents job writes the CSV. */
export class ExportAcceptedResponse {
  @ApiProperty({ format: 'uuid' }) exportId: string;
  @ApiProperty({ enum: EXPORT_STATUSES }) status: string;
}

export class ExportRecordResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['orders'] }) kind: string;
  @ApiProperty({ enum: EXPORT_STATUSES }) status: string;
  @ApiProperty({ type: CreateOrdersExportDto, description: 'the filters it was asked with' })
  filters: CreateOrdersExportDto;
  @ApiProperty({ type: 'integer', nullable: true, description: 'rows written, once completed' })
  totalRows: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'the CSV’s file name, once completed' })
  file: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'why it failed' }) error: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completedAt: string | null;
}
