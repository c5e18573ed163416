// The local workspace (`npm start`'s world, console and copilot) started in a test: the workspace's own config (its
// example autonomy policy and catalog), each action's verify window short enough for a test, real Postgres in a
// schema of its own; stopped and cleaned up by the cleanup it registers.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { createApp, type RunningApp } from '../../src/app.js';
import { loadConfig, parseFileConfig, type AppConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { buildSandboxConfigObject, startLocalWorkspace, type LocalWorkspaceDeps } from '../../sandbox/index.js';
import type { WorldClock } from '../../sandbox/world/world-clock.js';
import { DATABASE_URL, dropSchema, requirePostgres, uniqueName } from './services.js';

export interface TestWorkspace {
  app: RunningApp;
  config: AppConfig;
  clock: WorldClock;
  /** Injects a scenario of the world (POST /sandbox/api/trigger, as the console's button does); expects 202. */
  trigger: (scenario: string) => Promise<void>;
}

export async function startTestWorkspace(
  cleanups: Array<() => Promise<void>>,
  opts: { verifyWindow?: string; exportScenario?: LocalWorkspaceDeps['exportScenario'] } = {},
): Promise<TestWorkspace> {
  await requirePostgres();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'copilot-workspace-'));
  const schema = uniqueName('test');
  cleanups.push(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await dropSchema(schema);
  });
  const object = buildSandboxConfigObject(new Date());
  const actions = (object.actions as Record<string, unknown>[]).map((a) => ({
    ...a,
    verifyWindow: opts.verifyWindow ?? '8s',
  }));
  const base = loadConfig({ PORT: '0', DATABASE_URL, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const config = { ...base, file: parseFileConfig({ ...object, actions }, 'test'), fileSource: 'test' };
  const app = await startLocalWorkspace(config, {
    logger: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    createApp: (c, o) => createApp(c, { ...o, dbSchema: schema }),
    ...(opts.exportScenario ? { exportScenario: opts.exportScenario } : {}),
  });
  cleanups.push(() => app.stop());
  return {
    app,
    config,
    clock: app.ctx.clock as WorldClock,
    trigger: async (scenario: string) => {
      const res = await fetch(`${app.url}/sandbox/api/trigger`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scenario }),
      });
      expect(res.status).toBe(202);
    },
  };
}
