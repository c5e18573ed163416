// Job: publish a postmortem (one pull request, its issues), then mark it published and show the links. GitHub's 5xx
// and 429 are retried with backoff; a 4xx, or the last attempt, puts the postmortem back to draft with the reason
// said in the channel: the draft is never lost, and Publish can be clicked again.
import type { z } from 'zod';
import type { AppContext } from '../../context.js';
import { AppError, failedAttempt, PermanentJobError } from '../../errors.js';
import { appendEvent } from '../../incidents/timeline-repository.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { requestPresentation } from '../../jobs/presentations.js';
import type { PostmortemCodeHost } from '../ports.js';
import { publishToCodeHost, type PublishSettings } from '../publish.js';
import { findPostmortem, recordPublishProgress, transitionPostmortem } from '../repository.js';
import { PublishPostmortem, ShowPostmortem } from '../requests.js';
import { nowhereToPublish } from '../review.js';

export const PUBLISH_ATTEMPTS = 6;

export function publishPostmortemJob(
  ctx: AppContext,
  host: PostmortemCodeHost | undefined,
  settings: PublishSettings,
): JobDefinition<z.infer<typeof PublishPostmortem.schema>> {
  return defineJob({
    lane: 'background',
    ...PublishPostmortem,
    attempts: PUBLISH_ATTEMPTS,
    backoffMs: 1000,
    async process({ postmortemId }, job) {
      const pm = await findPostmortem(ctx.knex, postmortemId);
      if (!pm) throw new PermanentJobError(`postmortem ${postmortemId} does not exist`);
      if (pm.status !== 'publishing') return;
      if (!host) {
        await fail(
          ctx,
          pm.id,
          pm.incidentId,
          nowhereToPublish(ctx.config.env) ?? 'there is no code host to publish to',
        );
        return;
      }
      try {
        const result = await publishToCodeHost(ctx, host, pm, settings);
        const now = ctx.clock.now();
        await ctx.knex.transaction(async (trx) => {
          const done = await transitionPostmortem(trx, pm.id, ['publishing'], 'published', now);
          if (!done) return;
          await appendEvent(trx, {
            incidentId: pm.incidentId,
            type: 'postmortem.published',
            actor: pm.publishedBy ?? 'copilot',
            at: now,
            dedupeKey: `postmortem:${pm.id}:published`,
            data: {
              postmortemId: pm.id,
              version: pm.version,
              pr: result.pr,
              issues: result.issues,
              postmortemPath: result.postmortemPath,
              runbookPath: result.runbookPath,
            },
          });
          await requestPresentation(
            ctx,
            ShowPostmortem,
            { postmortemId: pm.id },
            { jobId: `show-postmortem:${pm.id}:published`, trx },
          );
        });
      } catch (err) {
        const { message, last } = failedAttempt(err, job.attempt, PUBLISH_ATTEMPTS);
        await recordPublishProgress(ctx.knex, pm.id, { lastError: message }, ctx.clock.now());
        if (!last) throw err;
        if (!(err instanceof AppError)) ctx.logger.error({ err, postmortemId }, 'publishing a postmortem failed');
        await fail(ctx, pm.id, pm.incidentId, message);
      }
    },
  });
}

/** Back to draft, the failure on the timeline and in the channel. */
async function fail(ctx: AppContext, postmortemId: number, incidentId: number, reason: string): Promise<void> {
  const now = ctx.clock.now();
  await ctx.knex.transaction(async (trx) => {
    const back = await transitionPostmortem(trx, postmortemId, ['publishing'], 'draft', now, { last_error: reason });
    if (!back) return;
    await appendEvent(trx, {
      incidentId,
      type: 'postmortem.publish_failed',
      actor: 'copilot',
      at: now,
      data: { postmortemId, reason },
    });
    await requestPresentation(
      ctx,
      ShowPostmortem,
      {
        postmortemId,
        note: `Publishing the postmortem failed: ${reason}. The draft is kept; click Publish to try again.`,
      },
      { trx },
    );
  });
}
