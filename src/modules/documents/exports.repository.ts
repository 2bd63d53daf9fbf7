import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { CreateOrdersExportDto } from './dto/create-orders-export.dto';

export interface ExportRow {
  id: string;
  kind: string;
  status: 'pending' | 'processing' | 'completed' | 'failed';
  filters: CreateOrdersExportDto;
  requested_by: string;
  total_rows: number | null;
  file_key: string | null;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

/** `exports`: the record of every CSV export. */
@Injectable()
export class ExportsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(em: EntityManager, filters: CreateOrdersExportDto, requestedBy: string): Promise<ExportRow> {
    const [row]: ExportRow[] = await em.query(
      `INSERT INTO exports (kind, status, filters, requested_by) VALUES ('orders', 'pending', $1::jsonb, $2) RETURNING *`,
      [JSON.stringify(filters), requestedBy],
    );
    return row;
  }

  async find(id: string): Promise<ExportRow | null> {
    const rows: ExportRow[] = await this.dataSource.query(`SELECT * FROM exports WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async started(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE exports SET status = 'processing', started_at = now(), error = NULL WHERE id = $1`,
      [id],
    );
  }

  async failed(id: string, status: 'pending' | 'failed', error: string): Promise<void> {
    await this.dataSource.query(`UPDATE exports SET status = $2, error = $3 WHERE id = $1`, [
      id,
      status,
      error,
    ]);
  }

  async completed(em: EntityManager, id: string, totalRows: number, fileKey: string): Promise<void> {
    await em.query(
      `UPDATE exports SET status = 'completed', total_rows = $2, file_key = $3, completed_at = now() WHERE id = $1`,
      [id, totalRows, fileKey],
    );
  }
}
