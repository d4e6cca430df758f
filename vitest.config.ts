import { defineConfig } from 'vitest/config';

// End-to-end tests share one local cloud per run (started by their global setup), so they live in their own
// project: running only unit tests never starts it.
const endToEnd = ['test/e2e/**/*.test.ts', 'test/**/*.e2e.test.ts'];

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'local/**/*.test.ts', 'functions/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...endToEnd],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: endToEnd,
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
