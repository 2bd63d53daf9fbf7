import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Issue 11: the production build (npm run build, tsconfig.build.json — what the Docker image runs) contains
 * no development tooling: no fake, no dev route, no demo, seed or failpoint killer, and no dev-only package.
 */
describe('the production build', () => {
  const program = () => {
    const result = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--listFilesOnly'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(result.status).toBe(0);
    return result.stdout
      .split('\n')
      .map((line) => line.trim())
      .filter((file) => file.startsWith(path.join(ROOT, 'src')))
      .map((file) => path.relative(path.join(ROOT, 'src'), file));
  };

  it('compiles only production code: nothing of src/dev, nothing named like a fake', () => {
    const files = program();
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((f) => f.startsWith('dev/'))).toEqual([]);
    expect(files.filter((f) => /fake|smtp-capture|seed|demo|kill-at-failpoint|mailbox/i.test(f))).toEqual([]);
    // The entry points are there, and the composition root that may load src/dev at run time.
    expect(files).toEqual(expect.arrayContaining(['main.ts', 'worker.ts', 'all.ts', 'bootstrap.ts']));
  });

  it('is what the Docker image runs, with production dependencies only', () => {
    const dockerfile = readFileSync(path.join(ROOT, 'docker/Dockerfile'), 'utf8');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    // The default target is the last stage: the production one, built by `npm run build` and pruned.
    expect(runtime).toMatch(/^FROM base AS runtime/);
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
    expect(dockerfile).toMatch(/FROM source AS build\nRUN npm run build && npm prune --omit=dev/);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.scripts.build).toBe('nest build');
    const nest = JSON.parse(readFileSync(path.join(ROOT, 'nest-cli.json'), 'utf8'));
    expect(nest.compilerOptions.tsConfigPath).toBe('tsconfig.build.json');
    for (const devOnly of ['smtp-server', 'mailparser']) {
      expect(pkg.dependencies[devOnly]).toBeUndefined();
      expect(pkg.devDependencies[devOnly]).toBeDefined();
    }
  });
});
