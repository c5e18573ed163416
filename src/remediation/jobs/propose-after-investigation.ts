// Job: after an investigation completes, proposes the catalog actions its hypotheses call for and refreshes the briefing.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { PermanentJobError } from '../../errors.js';
import { findIncident, lastEventOfType } from '../../incidents/repository.js';
import { scheduleBriefingUpdate } from '../../incidents/presentations.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { proposeRemediations } from '../propose-remediations.js';
import { PROPOSE_REMEDIATIONS_JOB, proposeRemediationsJobId } from './job-names.js';

export { PROPOSE_REMEDIATIONS_JOB } from './job-names.js';

export const proposeAfterInvestigationPayload = z.object({ incidentId: z.number().int().positive() });
export type ProposeAfterInvestigationPayload = z.infer<typeof proposeAfterInvestigationPayload>;

/**
 * Reads the incident's stored investigation and proposes. Proposals are deduplicated in Postgres, so this is a no-op
 * when the incident loop already proposed for the same result.
 */
export function createProposeAfterInvestigationJob(ctx: AppContext): JobDefinition<ProposeAfterInvestigationPayload> {
  return {
    name: PROPOSE_REMEDIATIONS_JOB,
    schema: proposeAfterInvestigationPayload,
    attempts: 3,
    backoffMs: 2000,
    async process({ incidentId }) {
      const row = await findIncident(ctx.knex, incidentId);
      if (!row) throw new PermanentJobError(`incident ${incidentId} does not exist`);
      if (row.status === 'resolved' || !row.investigation) return;
      const before = await ctx.knex('remediation_runs').where({ incident_id: incidentId }).count<{ count: number }[]>('* as count');
      await proposeRemediations(ctx, incidentId, row.investigation);
      const after = await ctx.knex('remediation_runs').where({ incident_id: incidentId }).count<{ count: number }[]>('* as count');
      if (Number(after[0]?.count) > Number(before[0]?.count)) await scheduleBriefingUpdate(ctx, incidentId);
    },
  };
}

/** Enqueues the job when an investigation completes: one job per completed investigation (its timeline entry's id). */
export function proposeOnInvestigationCompleted(ctx: AppContext): void {
  ctx.events.on('investigation.completed', async ({ incidentId }) => {
    const done = await lastEventOfType(ctx.knex, incidentId, 'investigation.completed');
    await ctx.queue.enqueue(PROPOSE_REMEDIATIONS_JOB, { incidentId }, { jobId: proposeRemediationsJobId(incidentId, done?.id ?? 0) });
  });
}
