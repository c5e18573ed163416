// Test projects: unit (pure, no services), integration (real Postgres and Redis), e2e (the whole app in a browser).
// Each project runs in a group of its own, one after the other.
import { defineConfig } from 'vitest/config';

// Integration files one at a time unless INTEGRATION_WORKERS says more. Every integration test has its own schema,
// Redis key prefix, temp directories and loopback ports, so files can run side by side, and the timing assertions are
// behavioural (a timer's due time, an order of events, an ack while Slack's answers are held), not elapsed real ms.
// Two workers are not the default yet: on a machine loaded by other work (load average 10-14 on 2 cores) a two-worker
// run took 2,321 s for 99 files against about 2,060 s for the first 48 at one worker, but failed four tests that pass
// alone, each a wait on real time (app/start's 30 s for the URL, handoff-timers' 10 s for the post, measure-itself's
// /metrics read once, slash-drill's report before its pull request). The last three now wait for what they read;
// app/start's wait and a second two-worker run are left before two workers can be the default.
const integrationWorkers = Number(process.env.INTEGRATION_WORKERS ?? '1');
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
