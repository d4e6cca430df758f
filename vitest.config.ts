import { defineConfig } from 'vitest/config';

// End-to-end tests share one local cloud per run (started by their global setup), so they live in their own
// project: running only unit tests never starts it. Unit files run two at a time (many wait on DynamoDB Local,
// esbuild or child processes); the end-to-end files then run one at a time, since several assert timings of a few
// seconds on the shared cloud.
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
          maxWorkers: 2,
          // One module cache per worker: importing the CDK and the SDK once per worker, not once per file, takes
          // minutes off the run. Files that mock SDK clients restore them in afterAll.
          isolate: false,
          setupFiles: ['test/setup-zod-openapi.ts'],
          sequence: { groupOrder: 0 },
          include: ['test/**/*.test.ts', 'local/**/*.test.ts', 'functions/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...endToEnd],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: endToEnd,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
