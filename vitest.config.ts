// Test projects: unit (pure, no services), integration (real Postgres and Redis), e2e (the whole app in a browser).
// Each project runs in a group of its own, one after the other.
import { defineConfig } from 'vitest/config';

// Integration files two at a time unless INTEGRATION_WORKERS says otherwise (1: one at a time). Every integration test
// has its own schema, Redis key prefix, temp directories and loopback ports, so files can run side by side, and the
// timing assertions are behavioural (a timer's due time, an order of events, an ack while Slack's answers are held),
// not elapsed real ms. Most of a file's time is waiting (Slack's pace, timers, processes starting), so two files side by
// side on 2 cores took 1,148 s for all 110 (2026-12-02, a review running beside it) against about 2,000 s one at a time.
const integrationWorkers = Number(process.env.INTEGRATION_WORKERS ?? '2');
if (!Number.isInteger(integrationWorkers) || integrationWorkers < 1)
  throw new Error(`INTEGRATION_WORKERS must be a whole number of at least 1, not "${process.env.INTEGRATION_WORKERS}"`);

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000, sequence: { groupOrder: 0 } } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // A failing test prints what its apps logged (test/helpers/test-logger.ts).
          setupFiles: ['test/setup/app-logs.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          maxWorkers: integrationWorkers,
          fileParallelism: integrationWorkers > 1,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
