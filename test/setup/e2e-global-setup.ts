import { spawnSync } from 'node:child_process';
import path from 'node:path';

import globalSetup from './global-setup';

/** E2E tests run the shipped build (dist/), so build it first, then prepare the databases as usual. */
export default async function e2eGlobalSetup(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  const build = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/@nestjs/cli/bin/nest.js'), 'build'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (build.status !== 0) throw new Error('nest build failed; e2e tests need dist/');
  await globalSetup();
}
