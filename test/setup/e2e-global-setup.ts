import { ensureBuilt } from './ensure-built';
import globalSetup from './global-setup';

/** E2E tests run the shipped build (dist/), so make sure it is current, then prepare the databases. */
export default async function e2eGlobalSetup(): Promise<void> {
  ensureBuilt();
  await globalSetup();
}
