import { spawnSync } from 'node:child_process';

import { ROOT } from './stack-files';

/** What to tell someone whose machine has no promtool: the test fails with this, never passes without it. */
export const PROMTOOL_MISSING =
  'promtool is not installed: `./install.sh test` installs it (Debian: apt-get install -y prometheus), ' +
  'or put a promtool binary from a Prometheus release on PATH';

export interface ToolRun {
  status: number | null;
  output: string;
}

/** Runs promtool from the repository root; throws PROMTOOL_MISSING when there is none on PATH. */
export function promtool(...args: string[]): ToolRun {
  const run = spawnSync('promtool', args, { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new Error(PROMTOOL_MISSING);
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
