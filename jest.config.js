/**
 * Tests run on the compiled output (dist/), so what is tested is exactly what runs,
 * type-checked by the same tsc build. Storage tests use DATABASE_URL (and REDIS_URL)
 * when set; otherwise test/global-setup starts the embedded database for the run.
 */
export default {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/dist'],
  testMatch: ['**/*.spec.js'],
  transform: {},
  globalSetup: '<rootDir>/dist/test/global-setup.js',
  globalTeardown: '<rootDir>/dist/test/global-teardown.js',
  testTimeout: 120000,
  verbose: false,
};
