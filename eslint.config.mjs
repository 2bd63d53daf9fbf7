// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'dist-bench/', 'node_modules/', 'coverage/', 'test-output/', 'eslint.config.mjs', 'jest.config.js'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through AppConfig (src/config), not process.env.',
        },
      ],
    },
  },
  {
    files: [
      'src/config/**/*.ts',
      'src/dev/dev-tools.env.ts',
      'test/**/*.ts',
      'src/main.ts',
      'src/migrate.ts',
      // The bench's knobs are read in one file; the profiling preload and child environments need PATH and its file.
      'bench/support/settings.ts',
      'bench/support/cpu-profile.hook.ts',
      'bench/support/processes.ts',
      'bench/phases/pgbench.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
