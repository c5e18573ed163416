// Presenter job: post where a remediation run stands (approved, finished, failed, rejected, undone) in the incident channel.
import type { AppContext } from '../../../src/context.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import { PostRemediationUpdate, type PostRemediationUpdatePayload } from '../../../src/remediation/presentations.js';
import {
  getIncidentForRemediation,
  getRun,
  type RemediationRun,
} from '../../../src/remediation/remediation-repository.js';
import { actionTitle, type RemediationStatusView } from '../../../src/remediation/remediation-views.js';
import { buildRemediationStatusBlocks, buildRemediationStatusText, formatWindow } from '../../../blocks/approval.js';
import { PRESENTER_RETRY } from './retry-policy.js';

/** The incident channel of a run, or undefined (logged: the update has nowhere to go). */
export async function channelOfRun(ctx: AppContext, run: RemediationRun): Promise<string | undefined> {
  const incident = await getIncidentForRemediation(ctx.knex, run.incidentId);
  if (!incident?.channelId)
    ctx.logger.warn(
      { runId: run.id, incidentId: run.incidentId },
      'incident has no channel; remediation update not posted',
    );
  return incident?.channelId ?? undefined;
}

/** Throws (so the job retries) while the update this one must follow is still to be shown. */
export async function awaitShown(ctx: AppContext, jobId: string | undefined): Promise<void> {
  if (!jobId) return;
  const earlier = await ctx.queue.get(jobId);
  if (earlier && (earlier.status === 'pending' || earlier.status === 'running'))
    throw new Error(`waiting for ${jobId} to be shown first`);
}

/** One message per run and status (the job id); a retry after Slack failed posts it then. */
export function postRemediationUpdateJob(ctx: AppContext): JobDefinition<PostRemediationUpdatePayload> {
  return defineJob({
    name: PostRemediationUpdate.name,
    schema: PostRemediationUpdate.schema,
    ...PRESENTER_RETRY,
    async process(p) {
      const run = await getRun(ctx.knex, p.runId);
      if (!run) return;
      await awaitShown(ctx, p.after);
      const channel = await channelOfRun(ctx, run);
      if (!channel) return;
      const view: RemediationStatusView = {
        runId: run.id,
        title: actionTitle(
          ctx.config.file.actions.find((a) => a.name === run.action),
          run.action,
        ),
        service: run.service,
        cause: run.cause,
        status: p.status,
        by: p.by === undefined || p.by === 'policy' ? null : p.by,
        detail: p.detail ?? null,
        externalRef: p.externalRef ?? null,
      };
      if (p.verifyInMs !== undefined) view.verifyIn = formatWindow(p.verifyInMs);
      await ctx.chat.postMessage(channel, buildRemediationStatusText(view), buildRemediationStatusBlocks(view));
    },
  });
}
