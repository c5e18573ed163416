// Registers the remediation jobs (propose after an investigation, run an approved action, verify it, watch an action
// run alone for a fast burn) and the listener.
import type { AppContext } from '../context.js';
import type { ActionRunner } from './action-runner.js';
import { proposeOnInvestigationCompleted, proposeRemediationsJob } from './jobs/propose-remediations.js';
import { runRemediationJob } from './jobs/run-remediation.js';
import { verifyRemediationJob } from './jobs/verify-remediation.js';
import { watchFastBurnJob } from './jobs/watch-fast-burn.js';

/**
 * Registers `propose-remediations`, `run-remediation`, `verify-remediation` and `watch-fast-burn`, and proposes after each completed
 * investigation. Timers already recorded are re-armed by the queue's start.
 */
export function installRemediation(ctx: AppContext, runners: ActionRunner[]): void {
  ctx.queue.register(proposeRemediationsJob(ctx));
  ctx.queue.register(runRemediationJob(ctx, runners));
  ctx.queue.register(verifyRemediationJob(ctx));
  ctx.queue.register(watchFastBurnJob(ctx));
  proposeOnInvestigationCompleted(ctx);
}
