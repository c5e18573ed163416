// Job: the periodic refresh of an unresolved incident's investigation, every `incidents.reinvestigateEvery`.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { investigateIncident } from '../investigate-incident.js';
import { armRefresh, REINVESTIGATE_JOB } from '../reinvestigation.js';
import { reopenCount } from '../timeline-repository.js';

/** The job's name and payload: the incident, its reopen cycle when the chain was armed, and the run's number. */
export const ReinvestigateIncident = {
  name: REINVESTIGATE_JOB,
  schema: z.object({
    incidentId: z.number().int().positive(),
    cycle: z.number().int().nonnegative(),
    seq: z.number().int().positive(),
  }),
} as const;

/**
 * One refresh: investigates the incident again (skipped, nothing stored or said, when the evidence fingerprint is the
 * last run's), then arms the next one while the incident is unresolved. A chain armed before a reopen stops: the
 * reopen's investigation armed a new one.
 */
export async function refreshInvestigation(
  ctx: AppContext,
  p: z.infer<typeof ReinvestigateIncident.schema>,
): Promise<void> {
  if ((await reopenCount(ctx.knex, p.incidentId)) !== p.cycle) return;
  const outcome = await investigateIncident(ctx, p.incidentId, { reason: 'refresh' });
  ctx.logger.debug({ incidentId: p.incidentId, seq: p.seq, outcome }, 'periodic re-investigation');
  if (outcome !== 'resolved') await armRefresh(ctx, p.incidentId, p.seq + 1);
}

export function reinvestigateIncidentJob(ctx: AppContext): JobDefinition<z.infer<typeof ReinvestigateIncident.schema>> {
  return defineJob({
    lane: 'background',
    ...ReinvestigateIncident,
    attempts: 3,
    backoffMs: 2000,
    process: async (p) => refreshInvestigation(ctx, p),
  });
}
