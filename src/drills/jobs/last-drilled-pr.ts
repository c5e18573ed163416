// Job: the pull request that sets a drilled runbook's `last_drilled` (one per drill). GitHub's 5xx and 429 are retried
// with backoff; each failure is recorded on the drill (pr_error) and, when attempts run out, said in the drill channel
// and left in the dead-letter list (`incident-copilot jobs retry` tries again): the drill's report is stored either
// way, and a retry finds the branch and the pull request an earlier attempt made, so it opens one.
import type { z } from 'zod';
import type { AppContext } from '../../context.js';
import { failedAttempt } from '../../errors.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import type { PostmortemCodeHost } from '../../postmortems/ports.js';
import { openLastDrilledPull, type LastDrilledSettings } from '../last-drilled.js';
import { findDrill } from '../repository.js';
import { findDrillRequest, updateDrillRequest } from '../requests-repository.js';
import { UpdateLastDrilled } from '../requests.js';
import { drillNote } from '../slack-text.js';

export const LAST_DRILLED_ATTEMPTS = 6;

export function lastDrilledPullJob(
  ctx: AppContext,
  host: PostmortemCodeHost | undefined,
  settings: LastDrilledSettings,
): JobDefinition<z.infer<typeof UpdateLastDrilled.schema>> {
  return defineJob({
    lane: 'background',
    ...UpdateLastDrilled,
    attempts: LAST_DRILLED_ATTEMPTS,
    backoffMs: 1000,
    async process({ requestId }, job) {
      const req = await findDrillRequest(ctx.knex, requestId);
      if (!req || !['pending', 'failed'].includes(req.prStatus ?? '') || req.drillRunId === null) return;
      const stored = await findDrill(ctx.knex, req.drillRunId);
      const say = async (text: string) => {
        if (!req.channelId) return;
        await ctx.chat.postMessage(req.channelId, drillNote(text)).catch((err: unknown) => {
          ctx.logger.warn({ err, drill: req.id }, 'could not post in the drill channel');
        });
      };
      if (!host || !stored) {
        const reason = !host ? 'RUNBOOKS_REPO is not set' : `drill run ${req.drillRunId} is gone`;
        await updateDrillRequest(ctx.knex, req.id, { pr_status: 'skipped', pr_error: reason }, ctx.clock.now());
        await say(`last_drilled of ${req.runbook} not updated: ${reason}`);
        return;
      }
      try {
        const result = await openLastDrilledPull(host, settings, {
          requestId: req.id,
          runbook: req.runbook,
          report: stored.report,
          channel: req.channelId,
          branch: req.prBranch,
        });
        const now = ctx.clock.now();
        if (result.kind === 'skipped') {
          await updateDrillRequest(ctx.knex, req.id, { pr_status: 'skipped', pr_error: result.reason }, now);
          await say(`last_drilled of ${req.runbook} not updated: ${result.reason}`);
          return;
        }
        await updateDrillRequest(
          ctx.knex,
          req.id,
          {
            pr_status: 'opened',
            pr_branch: result.branch,
            pr_number: result.pr.number,
            pr_url: result.pr.url,
            pr_error: null,
          },
          now,
        );
        await say(`pull request #${result.pr.number} sets last_drilled of ${req.runbook}: ${result.pr.url}`);
      } catch (err) {
        const { message, last } = failedAttempt(err, job.attempt, LAST_DRILLED_ATTEMPTS);
        await updateDrillRequest(
          ctx.knex,
          req.id,
          { pr_error: message, ...(last ? { pr_status: 'failed' as const } : {}) },
          ctx.clock.now(),
        );
        if (last)
          await say(
            `the pull request for last_drilled of ${req.runbook} failed: ${message}. The report is stored; the job is in the dead-letter list (incident-copilot jobs retry).`,
          );
        throw err;
      }
    },
  });
}
