import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/**
 * Issue 13: `dispatch` is the package's bin in a checkout (`npx dispatch`) and in the Docker image, where no
 * Docker engine is needed to check how it is wired (the CLI itself is exercised in test/integration/ops).
 */
describe('the dispatch command', () => {
  it('is the package bin, compiled from src/cli.ts with its shebang', () => {
    const pkg = JSON.parse(read('package.json')) as { bin: Record<string, string> };
    expect(pkg.bin).toEqual({ dispatch: 'dist/cli.js' });
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { bin?: object }> };
    expect(lock.packages[''].bin).toEqual(pkg.bin);
    expect(read('src/cli.ts').split('\n')[0]).toBe('#!/usr/bin/env node');
    const build = JSON.parse(read('tsconfig.build.json')) as { include: string[]; exclude: string[] };
    expect(build.include).toContain('src/**/*');
    expect(build.exclude.filter((pattern) => pattern.includes('cli'))).toEqual([]);
  });

  it('runs in both images as `npx dispatch` for the node user', () => {
    const dockerfile = read('docker/Dockerfile');
    const link =
      'RUN chmod +x dist/cli.js && ln -s ../../dist/cli.js node_modules/.bin/dispatch && npm pkg delete bin';
    for (const stage of ['build', 'build-demo']) {
      const body = dockerfile.slice(dockerfile.indexOf(`AS ${stage}\n`)).split(/\nFROM /)[0];
      expect(body).toContain(link);
    }
    for (const stage of ['demo', 'runtime']) {
      const body = dockerfile.slice(dockerfile.indexOf(`FROM base AS ${stage}\n`)).split(/\nFROM /)[0];
      expect(body).toMatch(/COPY --from=build(-demo)? \/app\/node_modules \.\/node_modules/);
      expect(body).toMatch(/COPY --from=build(-demo)? \/app\/package\.json \.\//);
    }
  });
});
