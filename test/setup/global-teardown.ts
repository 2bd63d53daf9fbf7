import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  const template = process.env.DISPATCH_TEST_TEMPLATE_DB;
  const adminUrl = process.env.DISPATCH_TEST_ADMIN_DB_URL;
  if (template && adminUrl) {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
  await (globalThis as { __dispatchInfraStop?: () => Promise<void> }).__dispatchInfraStop?.();
}
