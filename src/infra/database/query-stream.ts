import { Readable } from 'node:stream';

import { Client } from 'pg';
import QueryStream from 'pg-query-stream';

/**
 * Rows of one query read from a server-side cursor on a connection of their own (not the pool), so a very
 * long result streams in batches with flat memory. `close` ends the connection; call it when done.
 */
export async function openQueryStream(
  databaseUrl: string,
  sql: string,
  params: unknown[],
  options: { batchSize?: number; applicationName?: string } = {},
): Promise<{ rows: Readable; close: () => Promise<void> }> {
  const client = new Client({ connectionString: databaseUrl, application_name: options.applicationName });
  await client.connect();
  const rows = client.query(new QueryStream(sql, params, { batchSize: options.batchSize ?? 1000 }));
  return { rows, close: () => client.end() };
}
