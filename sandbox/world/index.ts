// The local workspace's simulated production world, assembled: clock, evidence ports, action runner and console API.
import type { Router } from 'express';
import type { EvidenceSources } from '../../src/investigation/ports.js';
import type { Logger } from '../../src/logger.js';
import type { ActionRunner } from '../../src/remediation/action-runner.js';
import { createSandboxActionRunner } from './action-runner.js';
import { AlertResolver } from './alert-resolver.js';
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
export { AlertResolver, buildResolvedBody } from './alert-resolver.js';

/** How often (real time) the world looks for healed alerts to resolve: Prometheus's usual evaluation interval. */
const RESOLVE_CHECK_MS = 15_000;

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
  /** Sends `resolved` for paged alerts once healed; checked every RESOLVE_CHECK_MS (the timer does not hold the process). */
  resolver: AlertResolver;
}

export function createSandboxWorld(opts: SandboxWorldOptions = {}): SandboxWorld {
  const clock = createWorldClock({ speed: opts.speed ?? 1 });
  const world = new World({ clock, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
  const resolver = new AlertResolver(world, opts.logger);
  setInterval(() => void resolver.check(), RESOLVE_CHECK_MS).unref();
  return {
    world,
    clock,
    evidence: createWorldEvidence(world),
    actionRunners: [createSandboxActionRunner(world)],
    resolver,
    router: createWorldRouter(world, {
      resolver,
      ...(opts.logger ? { logger: opts.logger } : {}),
      ...(opts.alertmanagerToken ? { alertmanagerToken: opts.alertmanagerToken } : {}),
    }),
  };
}
