// The remediation presenters: a run's progress and its verdict in the incident channel.
import type { AppContext } from '../../src/context.js';
import { postRemediationUpdateJob } from './jobs/post-remediation-update.js';
import { postRemediationVerdictJob } from './jobs/post-remediation-verdict.js';

/** Registers the jobs that render what src/remediation/presentations.ts requests. */
export function registerRemediationPresenters(ctx: AppContext): void {
  ctx.queue.register(postRemediationUpdateJob(ctx));
  ctx.queue.register(postRemediationVerdictJob(ctx));
}
