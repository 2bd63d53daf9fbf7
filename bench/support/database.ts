import { Client, Pool, QueryResultRow } from 'pg';

/** Marks the bench's own statements, so that statement counts per order leave them out. */
export const BENCH_MARK = '/* bench */';

/** One statement on a fresh connection (database creation and removal, on the admin database). */
export async function queryOnce<T extends QueryResultRow>(url: string, text: string, params: unknown[] = []) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * The bench's connection to its own database. It counts its statements (each one its own transaction), so
 * that commits per order can leave the bench's out.
 */
export class BenchDatabase {
  private readonly pool: Pool;
  private count = 0;

  constructor(readonly url: string) {
    this.pool = new Pool({ connectionString: url, max: 2 });
  }

  get statements(): number {
    return this.count;
  }

  async query<T extends QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
    this.count++;
    return (await this.pool.query<T>(`${BENCH_MARK} ${text}`, params)).rows;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
