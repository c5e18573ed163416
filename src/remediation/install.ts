// Registers the remediation jobs: running an approved action and verifying it after its window.
import type { AppContext } from '../context.js';
import type { ActionRunner } from './action-runner.js';
import { createRunRemediationJob } from './jobs/run-remediation.js';
import { createVerifyRemediationJob } from './jobs/verify-remediation.js';

/** Registers `run-remediation` and `verify-remediation`. Timers already recorded are re-armed by the queue's start. */
export function installRemediation(ctx: AppContext, runners: ActionRunner[]): void {
  ctx.queue.register(createRunRemediationJob(ctx, runners));
  ctx.queue.register(createVerifyRemediationJob(ctx));
}
