// Registers the remediation jobs (propose after an investigation, run an approved action, verify it) and the listener.
import type { AppContext } from '../context.js';
import type { ActionRunner } from './action-runner.js';
import { createProposeAfterInvestigationJob, proposeOnInvestigationCompleted } from './jobs/propose-after-investigation.js';
import { createRunRemediationJob } from './jobs/run-remediation.js';
import { createVerifyRemediationJob } from './jobs/verify-remediation.js';

/**
 * Registers `propose-remediations`, `run-remediation` and `verify-remediation`, and proposes after each completed
 * investigation. Timers already recorded are re-armed by the queue's start.
 */
export function installRemediation(ctx: AppContext, runners: ActionRunner[]): void {
  ctx.queue.register(createProposeAfterInvestigationJob(ctx));
  ctx.queue.register(createRunRemediationJob(ctx, runners));
  ctx.queue.register(createVerifyRemediationJob(ctx));
  proposeOnInvestigationCompleted(ctx);
}
