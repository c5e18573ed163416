// Registers the remediation jobs (propose after an investigation, run an approved action, verify it) and the listener.
import type { AppContext } from '../context.js';
import type { ActionRunner } from './action-runner.js';
import { proposeOnInvestigationCompleted, proposeRemediationsJob } from './jobs/propose-remediations.js';
import { runRemediationJob } from './jobs/run-remediation.js';
import { verifyRemediationJob } from './jobs/verify-remediation.js';

/**
 * Registers `propose-remediations`, `run-remediation` and `verify-remediation`, and proposes after each completed
 * investigation. Timers already recorded are re-armed by the queue's start.
 */
export function installRemediation(ctx: AppContext, runners: ActionRunner[]): void {
  ctx.queue.register(proposeRemediationsJob(ctx));
  ctx.queue.register(runRemediationJob(ctx, runners));
  ctx.queue.register(verifyRemediationJob(ctx));
  proposeOnInvestigationCompleted(ctx);
}
