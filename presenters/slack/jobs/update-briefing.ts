// Presenter job: re-render the briefing in place from Postgres and tell the thread what changed. Coalesced per time
// bucket by the core's request (scheduleBriefingUpdate).
import type { z } from 'zod';
import type { AppContext } from '../../../src/context.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import {
  briefingState,
  buildBriefingView,
  describeChanges,
  type BriefingState,
} from '../../../src/incidents/briefing-view.js';
import { PostIncidentNote, UpdateBriefing } from '../../../src/incidents/presentations.js';
import { RateLimitedError } from '../../../src/errors.js';
import { requestPresentation } from '../../../src/jobs/presentations.js';
import { saveBriefingState } from '../../../src/incidents/chat-repository.js';
import { toIncident } from '../../../src/incidents/repository.js';
import { incidentForBriefing } from '../../../src/incidents/briefing-repository.js';
import { buildBriefingBlocks, buildBriefingText } from '../../../blocks/briefing.js';
import { buildChangesText, buildTopic } from '../../../blocks/status.js';
import { PRESENTER_RETRY } from './retry-policy.js';
import { refreshMessagesOf } from '../chat-digest.js';

/** Renders the briefing now: updates the message in place and posts a thread note listing what changed. */
export async function refreshBriefing(ctx: AppContext, incidentId: number): Promise<void> {
  // The incident with what it shows (its briefing's facts, or without a channel its pointer's messages): one statement.
  const loaded = await incidentForBriefing(ctx.knex, incidentId);
  const incident = loaded && toIncident(loaded.row);
  // Before the channel exists the open-incident job posts the first briefing itself; meanwhile (Slack's channel
  // budget spent in a storm) the incident's line in the alerts channel shows what the investigation found.
  if (incident && !incident.channelId)
    return refreshMessagesOf(ctx, 'pointer', incidentId, loaded?.pointers, { lastAct: true });
  if (!incident?.channelId || !incident.briefingTs) return;
  const view = await buildBriefingView(ctx.knex, ctx.config, incident, loaded?.facts);
  const state = briefingState(view);
  const before = (incident.briefingState as BriefingState | null) ?? null;
  await ctx.chat.updateMessage(
    incident.channelId,
    incident.briefingTs,
    buildBriefingText(view),
    buildBriefingBlocks(view),
  );
  const changes = describeChanges(before, state);
  // The topic carries severity, status and who holds each role: rewrite it when one changed (e.g. after
  // `/incident sev` or `/incident role`).
  const rolesChanged =
    (before?.commander !== undefined && before.commander !== state.commander) ||
    (before?.roles ?? []).join('|') !== (state.roles ?? []).join('|');
  if (
    before &&
    (before.status !== state.status ||
      (before.severity !== undefined && before.severity !== state.severity) ||
      rolesChanged)
  ) {
    const roles = [...(view.commander ? [{ role: 'commander', user: view.commander }] : []), ...(view.roles ?? [])];
    await ctx.chat
      .setTopic(incident.channelId, buildTopic({ ...incident, roles }))
      .catch((err) => ctx.logger.warn({ err, incidentId }, 'could not update the channel topic'));
  }
  if (changes.length) {
    try {
      await ctx.chat.postMessage(incident.channelId, buildChangesText(changes), undefined, incident.briefingTs);
    } catch (err) {
      if (!(err instanceof RateLimitedError)) throw err;
      // The edit above is done: a retry of this job would make it again (and spend chat.update's budget) only to be
      // refused the note again, for as long as the message's edit and its note cannot both go within the wait a call
      // may take (a storm's budget). The note waits in a job of its own instead, queued with the state it tells.
      await ctx.knex.transaction(async (trx) => {
        await requestPresentation(
          ctx,
          PostIncidentNote,
          { incidentId, note: { kind: 'changes', changes } },
          { delayMs: err.retryAfterMs, trx },
        );
        await saveBriefingState(trx, incidentId, state);
      });
      return;
    }
  }
  // Its last statement: run by the update-briefing job, it marks the job completed too.
  await saveBriefingState(ctx.knex, incidentId, state, UpdateBriefing.name);
}

export function updateBriefingJob(ctx: AppContext): JobDefinition<z.infer<typeof UpdateBriefing.schema>> {
  return defineJob({
    // The normal lane: it shows people what an investigation found and is light (one read, one edit); in the background
    // lane it waited behind the very investigations it presents (a 100-page burst's last briefings 27-37 s, 17 s here).
    ...UpdateBriefing,
    ...PRESENTER_RETRY,
    // Chat may be down for a while: the update keeps retrying (doubling from 1 s, capped at an hour by the queue).
    process: async ({ incidentId }) => refreshBriefing(ctx, incidentId),
  });
}
