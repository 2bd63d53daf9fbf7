import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Whether Postgres answers (readiness). */
@Injectable()
export class DatabaseHealth {
  constructor(private readonly dataSource: DataSource) {}

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
