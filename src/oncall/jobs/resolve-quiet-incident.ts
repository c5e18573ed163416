// Job: resolve an incident whose alerts all stayed resolved for incidents.autoResolveAfter.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { hasFiringAlert } from '../../incidents/alerts-repository.js';
import { resolveIncident } from '../../incidents/transitions.js';
import { alertsResolvedCount } from '../escalation-state.js';

export const resolveQuietIncidentPayload = z.object({
  incidentId: z.number().int().positive(),
  /** Which "every alert resolved" armed this timer: a later one (an alert fired and resolved again) has its own. */
  seq: z.number().int().min(0),
});
export type ResolveQuietIncidentPayload = z.infer<typeof resolveQuietIncidentPayload>;

/** Job id `resolve-quiet:<incident>:<seq>`. */
export const ResolveQuietIncident = { name: 'resolve-quiet-incident', schema: resolveQuietIncidentPayload } as const;

export function resolveQuietIncidentJob(ctx: AppContext): JobDefinition<ResolveQuietIncidentPayload> {
  return defineJob({
    ...ResolveQuietIncident,
    attempts: 5,
    async process(p) {
      const firing = await hasFiringAlert(ctx.knex, p.incidentId);
      if (firing || (await alertsResolvedCount(ctx.knex, p.incidentId)) !== p.seq) return;
      const minutes = Math.round((ctx.config.file.incidents.autoResolveAfter ?? 0) / 60_000);
      await resolveIncident(
        ctx,
        p.incidentId,
        { id: 'copilot', via: 'quiet-period' },
        { summary: `Every alert stayed resolved for ${minutes} min: resolved automatically.` },
      );
    },
  });
}
