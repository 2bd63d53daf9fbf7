/**
 * Projects: unit (pure logic, next to the code), static (the compose stack's files checked without Docker or a
 * database: compose schema, promtool, dashboards, Alloy), integration (real Postgres/Redis), e2e (whole app),
 * chaos.
 */
const base = {
  moduleFileExtensions: ['ts', 'js', 'json'],
  rootDir: __dirname,
  testEnvironment: 'node',
  // Limits only end a stuck test; a busy machine (CI, parallel suites) must make tests slower, never red.
  testTimeout: 60_000,
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    // content-disposition 3 (via @fastify/static, used by Swagger UI) is ESM-only. Node 20.19+ loads it with
    // require(esm), Jest's module loader does not, so it is compiled to CommonJS for tests only.
    '^.+/content-disposition/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
};

module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...base, displayName: 'static', testMatch: ['<rootDir>/test/static/**/*.static-spec.ts'] },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/setup/e2e-global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/setup/integration-timeout.ts'],
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/e2e-global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/setup/integration-timeout.ts'],
    },
    {
      ...base,
      displayName: 'chaos',
      testMatch: ['<rootDir>/test/chaos/**/*.chaos-spec.ts'],
      globalSetup: '<rootDir>/test/setup/chaos-global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/chaos-global-teardown.ts',
    },
  ],
};
