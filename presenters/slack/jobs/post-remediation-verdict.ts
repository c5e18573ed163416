// Presenter job: post a run's verdict (recovered, or not with Undo when reversible and Escalate) in the incident channel,
// then a before/after chart of the SLI it was judged on.
import type { AppContext } from '../../../src/context.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import { encodeRemediationButton } from '../../../src/remediation/button-value.js';
import { PostRemediationVerdict, remediationUpdateJobId } from '../../../src/remediation/presentations.js';
import { getRun } from '../../../src/remediation/remediation-repository.js';
import { actionTitle } from '../../../src/remediation/remediation-views.js';
import { buildVerificationBlocks, buildVerificationText } from '../../../blocks/approval.js';
import { postVerificationChart } from '../post-verification-chart.js';
import { awaitShown, channelOfRun } from './post-remediation-update.js';

export function postRemediationVerdictJob(ctx: AppContext): JobDefinition<{ runId: number }> {
  return defineJob({
    name: PostRemediationVerdict.name,
    schema: PostRemediationVerdict.schema,
    attempts: 10,
    backoffMs: 500,
    async process({ runId }) {
      const run = await getRun(ctx.knex, runId);
      const verdict = run?.result?.verdict;
      if (!run || !verdict) return;
      await awaitShown(ctx, remediationUpdateJobId(run.id, 'succeeded'));
      const channel = await channelOfRun(ctx, run);
      if (!channel) return;
      const findAction = (name: string) => ctx.config.file.actions.find((a) => a.name === name);
      const action = findAction(run.action);
      const undoAction = action?.reversible && action.undo ? findAction(action.undo) : undefined;
      const view = {
        runId: run.id,
        value: encodeRemediationButton(run.id),
        incidentId: run.incidentId,
        title: actionTitle(action, run.action),
        service: run.service,
        recovered: verdict.recovered,
        ...(verdict.credited === false ? { credited: false } : {}),
        detail: verdict.detail,
        undo: undoAction ? { title: actionTitle(undoAction, undoAction.name) } : null,
      };
      await ctx.chat.postMessage(channel, buildVerificationText(view), buildVerificationBlocks(view));
      // The before/after chart is a nicety: failing to draw or upload it never fails the verdict (nor repeats it).
      await postVerificationChart(ctx, run, channel).catch((err) =>
        ctx.logger.warn({ err, runId }, 'could not post the verification chart'),
      );
    },
  });
}
