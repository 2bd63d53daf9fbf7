import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Tests that run Dispatch as a child process need dist/ with the development tooling (fakes, failpoints:
 * the development build, `npm run build:dev`); rebuild it when any source is newer or it is a production
 * build.
 */
export function ensureBuilt(): void {
  let built = 0;
  try {
    built = Math.min(
      statSync(path.join(ROOT, 'dist/worker.js')).mtimeMs,
      statSync(path.join(ROOT, 'dist/dev/dev-tooling.js')).mtimeMs,
    );
  } catch {
    built = 0;
  }
  if (built > newestMtime(path.join(ROOT, 'src'))) return;
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', '-p', 'tsconfig.build-dev.json'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  if (result.status !== 0)
    throw new Error('nest build failed; tests that start Dispatch processes need dist/');
}
