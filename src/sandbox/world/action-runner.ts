// The `sandbox` action runner: carries out catalog actions on the simulated world instead of on production.
import type { ActionRunner } from '../../remediation/action-runner.js';
import type { World } from './world.js';

/** Runs actions whose runner type is `sandbox` by applying them to the world; the world's signals then tell whether they helped. */
export function createSandboxActionRunner(world: World): ActionRunner {
  return {
    type: 'sandbox',
    async run(req) {
      const result = world.applyAction({ action: req.action.name, service: req.service, cause: req.cause, runId: req.runId });
      const index = result.operation ? world.listOperations().indexOf(result.operation) : -1;
      return { ok: result.ok, detail: result.detail, ...(index >= 0 ? { externalRef: `world-op-${index + 1}` } : {}) };
    },
  };
}
