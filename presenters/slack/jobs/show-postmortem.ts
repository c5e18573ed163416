// Presenter job: the postmortem's review message in the incident channel, posted once and then updated in place to
// its current state (draft with its buttons, publishing, published with the links, discarded), plus an optional note;
// when the service has an SLO, the burn chart over the incident goes once in the review's thread.
import type { z } from 'zod';
import type { AppContext } from '../../../src/context.js';
import { PermanentJobError } from '../../../src/errors.js';
import { findIncident } from '../../../src/incidents/repository.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import { buildPostmortemView } from '../../../src/postmortems/postmortem-view.js';
import { findPostmortem, recordPostmortemMessage } from '../../../src/postmortems/repository.js';
import { ShowPostmortem } from '../../../src/postmortems/requests.js';
import { buildPostmortemBlocks, buildPostmortemText } from '../../../blocks/postmortem.js';
import { escapeMrkdwn, truncate, LIMITS } from '../../../blocks/limits.js';
import { PRESENTER_RETRY } from './retry-policy.js';
import { postPostmortemSloChart } from '../post-slo-chart.js';

/** Renders what Postgres holds now, so an older request run late shows the current state, never a stale one. */
export async function showPostmortem(ctx: AppContext, postmortemId: number, note?: string): Promise<void> {
  const pm = await findPostmortem(ctx.knex, postmortemId);
  if (!pm) throw new PermanentJobError(`postmortem ${postmortemId} does not exist`);
  const incident = await findIncident(ctx.knex, pm.incidentId);
  if (!incident) throw new PermanentJobError(`incident ${pm.incidentId} does not exist`);
  const channel = pm.channelId ?? incident.channelId;
  if (!channel) throw new Error(`incident ${incident.publicId} has no channel yet`);
  const view = buildPostmortemView(pm, incident);
  const text = buildPostmortemText(view);
  const blocks = buildPostmortemBlocks(view);
  let reviewTs = pm.messageTs;
  if (reviewTs) await ctx.chat.updateMessage(channel, reviewTs, text, blocks);
  else {
    const posted = await ctx.chat.postMessage(channel, text, blocks);
    await recordPostmortemMessage(ctx.knex, pm.id, channel, posted.ts);
    reviewTs = posted.ts;
  }
  // The SLO burn over the incident, once, in the review's thread: a nicety that never fails the review (logged).
  await postPostmortemSloChart(ctx, incident, channel, reviewTs).catch((err) =>
    ctx.logger.warn({ err, incidentId: incident.id }, 'could not post the SLO burn chart of the postmortem'),
  );
  if (note) await ctx.chat.postMessage(channel, truncate(escapeMrkdwn(note), LIMITS.messageText));
  if (pm.status === 'published' && pm.prUrl && !note) {
    const issues = pm.issues.map((i) => `#${i.number} ${i.url}`).join(', ');
    await ctx.chat.postMessage(
      channel,
      truncate(
        `Postmortem of ${incident.publicId} published: ${pm.prUrl}${issues ? ` · follow-ups: ${issues}` : ''}`,
        LIMITS.messageText,
      ),
    );
  }
}

export function showPostmortemJob(ctx: AppContext): JobDefinition<z.infer<typeof ShowPostmortem.schema>> {
  return defineJob({
    ...ShowPostmortem,
    ...PRESENTER_RETRY,
    process: async (p) => showPostmortem(ctx, p.postmortemId, p.note),
  });
}
