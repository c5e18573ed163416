// The `sandbox` action runner: carries out catalog actions on the simulated world instead of on production.
import type { ActionRunner } from '../../src/remediation/action-runner.js';
import type { World } from './world.js';

/**
 * Runs actions whose runner type is `sandbox` by applying them to the world; the world's signals then tell whether
 * they helped. There is no run page to follow, so no externalRef (the channel would show it as a link).
 */
export function createSandboxActionRunner(world: World): ActionRunner {
  return {
    type: 'sandbox',
    async run(req) {
      const result = world.applyAction({
        action: req.action.name,
        service: req.service,
        cause: req.cause,
        runId: req.runId,
      });
      return { ok: result.ok, detail: result.detail };
    },
  };
}
