// Job: investigate an incident when it opens, and again when it reopens, a new lead arrives or an alert fires again.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { investigateIncident, triggerSchema } from '../investigate-incident.js';

/** The job's name and payload: the incident, and why it is investigated again (absent the first time). */
export const InvestigateIncident = {
  name: 'investigate-incident',
  schema: z.object({ incidentId: z.number().int().positive(), trigger: triggerSchema.optional() }),
} as const;

/** The job id of an investigation: the first one per incident, then one per reason (`r2`, `lead-checkout:...`). */
export function investigateJobId(incidentId: number, suffix?: string): string {
  if (suffix === undefined) return `investigate-incident-${incidentId}`;
  const safe = /^[A-Za-z0-9_-]{1,60}$/.test(suffix)
    ? suffix
    : createHash('sha256').update(suffix).digest('hex').slice(0, 16);
  return `investigate-incident-${incidentId}-${safe}`;
}

export function investigateIncidentJob(ctx: AppContext): JobDefinition<z.infer<typeof InvestigateIncident.schema>> {
  return defineJob({
    lane: 'background',
    ...InvestigateIncident,
    attempts: 3,
    backoffMs: 2000,
    process: async ({ incidentId, trigger }) => {
      await investigateIncident(ctx, incidentId, trigger, { completeJob: InvestigateIncident.name });
    },
  });
}
