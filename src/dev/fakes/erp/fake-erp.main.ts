/**
 * Runs the fake ERP (X-API) on its own, for a dev setup where the worker submits orders to it:
 *
 *   FAKE_ERP_PORT=12112 FAKE_ERP_USERNAME=dispatch FAKE_ERP_PASSWORD=dispatch-erp-secret \
 *   node dist/modules/fulfilment/fake/fake-erp.main.js
 *
 * Its settings come from the environment (see config/fake-servers.env.ts), not from AppConfig.
 */
import { runStandaloneServer } from '../run-standalone-server';
import { fakeServerEnv } from '../../dev-tools.env';
import { FakeErpServer } from './fake-erp.server';

const DEFAULT_PORT = 12112;
const DEFAULT_USERNAME = 'dispatch';
const DEFAULT_PASSWORD = 'dispatch-erp-secret';

async function start(): Promise<{ port: number; stop(): Promise<void> }> {
  const { FAKE_ERP_PORT, FAKE_ERP_USERNAME, FAKE_ERP_PASSWORD } = fakeServerEnv();
  const port = FAKE_ERP_PORT ? Number(FAKE_ERP_PORT) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`FAKE_ERP_PORT is not a port: ${FAKE_ERP_PORT}`);
  }

  return FakeErpServer.start({
    port,
    username: FAKE_ERP_USERNAME || DEFAULT_USERNAME,
    password: FAKE_ERP_PASSWORD || DEFAULT_PASSWORD,
    onRequest: (request) =>
      process.stdout.write(`${request.method} ${request.path} → ${request.status ?? 'reset'}\n`),
  });
}

runStandaloneServer('fake erp', start);
