// ESM TypeScript tests: ts-jest transpiles only (tsconfig's isolatedModules); `npm run build` type-checks.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  testTimeout: 60000,
  globalSetup: '<rootDir>/test/support/temp-setup.js',
  globalTeardown: '<rootDir>/test/support/temp-teardown.js',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
