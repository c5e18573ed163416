// Job: re-render the briefing in place from Postgres and tell the thread what changed. Coalesced per time bucket.
import type { Knex } from 'knex';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import type { JobDefinition } from '../jobs/job-queue.js';
import { buildBriefingBlocks, buildBriefingText } from '../../blocks/briefing.js';
import { buildChangesText, buildTopic } from '../../blocks/status.js';
import { briefingState, buildBriefingView, describeChanges, type BriefingState } from './briefing-view.js';
import { findIncident } from './repository.js';

export const UPDATE_BRIEFING_JOB = 'update-briefing';
/** Updates within one bucket share one job: an alert storm edits the message a few times, not once per alert. */
export const BRIEFING_BUCKET_MS = 2000;

const payloadSchema = z.object({ incidentId: z.number().int().positive() });

/**
 * Schedules a briefing update at the end of the current time bucket, with a deterministic id so that every change
 * within the bucket is covered by one job. Pass `trx` to tie the job to the transaction that made the change.
 */
export async function scheduleBriefingUpdate(ctx: AppContext, incidentId: number, trx?: Knex.Transaction): Promise<void> {
  // Real time, not ctx.clock: coalescing protects Slack's rate limits, which run on wall time even in a simulated world.
  const now = Date.now();
  const bucket = Math.floor(now / BRIEFING_BUCKET_MS);
  const delayMs = (bucket + 1) * BRIEFING_BUCKET_MS - now;
  await ctx.queue.enqueue(
    UPDATE_BRIEFING_JOB,
    { incidentId },
    { jobId: `update-briefing-${incidentId}-${bucket}`, delayMs, ...(trx ? { trx } : {}) },
  );
}

/** Renders the briefing now: updates the message in place and posts a thread note listing what changed. */
export async function refreshBriefing(ctx: AppContext, incidentId: number): Promise<void> {
  const incident = await findIncident(ctx.knex, incidentId);
  // Before the channel exists the open-incident job posts the first briefing itself.
  if (!incident?.channelId || !incident.briefingTs) return;
  const view = await buildBriefingView(ctx.knex, ctx.config, incident);
  const state = briefingState(view);
  const before = (incident.briefingState as BriefingState | null) ?? null;
  await ctx.chat.updateMessage(incident.channelId, incident.briefingTs, buildBriefingText(view), buildBriefingBlocks(view));
  const changes = describeChanges(before, state);
  // The topic carries severity and status: rewrite it when either changed (e.g. after `/incident sev`).
  if (before && (before.status !== state.status || (before.severity !== undefined && before.severity !== state.severity))) {
    await ctx.chat.setTopic(incident.channelId, buildTopic(incident)).catch((err) => ctx.logger.warn({ err, incidentId }, 'could not update the channel topic'));
  }
  if (changes.length) await ctx.chat.postMessage(incident.channelId, buildChangesText(changes), undefined, incident.briefingTs);
  await ctx.knex('incidents').where({ id: incidentId }).update({ briefing_state: JSON.stringify(state) });
}

export function updateBriefingJob(ctx: AppContext): JobDefinition<z.infer<typeof payloadSchema>> {
  return {
    name: UPDATE_BRIEFING_JOB,
    schema: payloadSchema,
    // Chat may be down for a while: the update keeps retrying (doubling from 1 s, capped at an hour by the queue).
    attempts: 16,
    backoffMs: 1000,
    process: async ({ incidentId }) => refreshBriefing(ctx, incidentId),
  };
}
