// Job: what `/incident merge` leaves to after its transaction: the closed incident's escalation stopped and its timers
// cancelled, and both channels told. Recorded in the merge's transaction, so a restart mid-way still finishes it.
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { defineJob } from '../jobs/define-job.js';
import type { JobDefinition } from '../jobs/job-queue.js';
import { requestPresentation } from '../jobs/presentations.js';
import { raiseSev2JobId, stopEscalation } from '../oncall/escalation.js';
import { PostIncidentNote } from './presentations.js';
import { findIncident } from './repository.js';
import { escalationRunCount } from './timeline-repository.js';

export const FinishMerge = {
  name: 'finish-merge',
  schema: z.object({
    fromId: z.number().int().positive(),
    intoId: z.number().int().positive(),
    by: z.string().min(1),
  }),
} as const;
export type FinishMergePayload = z.infer<typeof FinishMerge.schema>;

/** Each step applies once (the stop is keyed by the run, the notes by their job ids), so a retry repeats nothing. */
export async function finishMerge(ctx: AppContext, p: FinishMergePayload): Promise<void> {
  const [from, into] = [await findIncident(ctx.knex, p.fromId), await findIncident(ctx.knex, p.intoId)];
  if (!from || !into) return;
  await stopEscalation(ctx, from.id, p.by);
  await ctx.queue.cancel(raiseSev2JobId(from.id, await escalationRunCount(ctx.knex, from.id)));
  const alerts = Number(
    (
      (await ctx
        .knex('incident_events')
        .where({ dedupe_key: `merged-into:${from.id}` })
        .first('data')) as { data: { alerts?: number } } | undefined
    )?.data.alerts ?? 0,
  );
  const note = { kind: 'merged' as const, from: from.publicId, into: into.publicId, alerts, by: p.by };
  for (const incident of [from, into]) {
    if (!incident.channelId) continue;
    await requestPresentation(
      ctx,
      PostIncidentNote,
      { incidentId: incident.id, note },
      { jobId: `merge-note:${from.id}:${incident.id}` },
    );
  }
  // What else a resolve sets off (the page DMs' buttons taken off, a PagerDuty alert resolved); each applies once.
  ctx.events.emit('incident.resolved', { incidentId: from.id, by: p.by });
  ctx.logger.info({ from: from.publicId, into: into.publicId }, 'incident merged: escalation stopped, channels told');
}

export function finishMergeJob(ctx: AppContext): JobDefinition<FinishMergePayload> {
  return defineJob({
    lane: 'urgent',
    ...FinishMerge,
    attempts: 10,
    backoffMs: 1000,
    process: (p) => finishMerge(ctx, p),
  });
}
