// The local workspace's simulated production world, assembled: clock, evidence ports, action runner and console API.
import type { Router } from 'express';
import type { EvidenceSources } from '../../investigation/ports.js';
import type { Logger } from '../../logger.js';
import type { ActionRunner } from '../../remediation/action-runner.js';
import { createSandboxActionRunner } from './action-runner.js';
import { createWorldEvidence } from './evidence.js';
import { createWorldRouter } from './router.js';
import { World } from './world.js';
import { createWorldClock, type WorldClock } from './world-clock.js';

export { World } from './world.js';
export { createWorldClock, type WorldClock } from './world-clock.js';
export { createWorldEvidence } from './evidence.js';
export { createSandboxActionRunner } from './action-runner.js';
export { createWorldRouter, describeWorld } from './router.js';
export { WORLD_SCENARIOS, findScenario } from './scenarios.js';
export { triggerScenario } from './trigger.js';

export interface SandboxWorldOptions {
  /** World milliseconds per real millisecond (default 1). */
  speed?: number;
  /** Seeds ids and choices, for reproducible runs. */
  seed?: string;
  logger?: Logger;
  /** ALERTMANAGER_TOKEN, when the app requires one on /webhooks/alertmanager. */
  alertmanagerToken?: string;
}

/** What the app needs from the world: pass clock, evidence and actionRunners as overrides and mount the router. */
export interface SandboxWorld {
  world: World;
  clock: WorldClock;
  evidence: EvidenceSources;
  actionRunners: ActionRunner[];
  /** /sandbox/api/{scenarios,trigger,world,reset}. */
  router: Router;
}

export function createSandboxWorld(opts: SandboxWorldOptions = {}): SandboxWorld {
  const clock = createWorldClock({ speed: opts.speed ?? 1 });
  const world = new World({ clock, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
  return {
    world,
    clock,
    evidence: createWorldEvidence(world),
    actionRunners: [createSandboxActionRunner(world)],
    router: createWorldRouter(world, { ...(opts.logger ? { logger: opts.logger } : {}), ...(opts.alertmanagerToken ? { alertmanagerToken: opts.alertmanagerToken } : {}) }),
  };
}
