// Job: after an investigation completes, proposes the catalog actions its hypotheses call for and refreshes the briefing.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { PermanentJobError } from '../../errors.js';
import { findIncident } from '../../incidents/repository.js';
import { lastEventOfType } from '../../incidents/timeline-repository.js';
import { scheduleBriefingUpdate } from '../../incidents/presentations.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { proposeRemediations } from '../propose-remediations.js';

export const proposeRemediationsPayload = z.object({ incidentId: z.number().int().positive() });
export type ProposeRemediationsPayload = z.infer<typeof proposeRemediationsPayload>;

export const ProposeRemediations = { name: 'propose-remediations', schema: proposeRemediationsPayload } as const;

/** One proposal job per completed investigation of an incident. */
export function proposeRemediationsJobId(incidentId: number, investigationEventId: number): string {
  return `propose-remediations:${incidentId}:${investigationEventId}`;
}

/**
 * Reads the incident's stored investigation and proposes. Proposals are deduplicated in Postgres, so this is a no-op
 * when the incident loop already proposed for the same result.
 */
export function proposeRemediationsJob(ctx: AppContext): JobDefinition<ProposeRemediationsPayload> {
  return defineJob({
    lane: 'background',
    ...ProposeRemediations,
    attempts: 3,
    backoffMs: 2000,
    async process({ incidentId }) {
      const row = await findIncident(ctx.knex, incidentId);
      if (!row) throw new PermanentJobError(`incident ${incidentId} does not exist`);
      if (row.status === 'resolved' || !row.investigation) return;
      // What it proposed (a retry proposes the same again): the briefing shows it.
      const proposed = await proposeRemediations(ctx, incidentId, row.investigation, row);
      if (proposed.length) await scheduleBriefingUpdate(ctx, incidentId);
    },
  });
}

/**
 * Enqueues the job when an investigation completes: one job per completed investigation (its timeline entry's id),
 * none for a novel result.
 */
export function proposeOnInvestigationCompleted(ctx: AppContext): void {
  ctx.events.on('investigation.completed', async ({ incidentId, completedEventId, novel }) => {
    // The event says which entry and whether the result was novel; read from the timeline when it does not.
    const done =
      completedEventId !== undefined && novel !== undefined
        ? { id: completedEventId, data: { novel } }
        : await lastEventOfType(ctx.knex, incidentId, 'investigation.completed');
    // A novel result proposes nothing (proposeRemediations returns at once): no job to run for it.
    const data = (typeof done?.data === 'string' ? JSON.parse(done.data) : done?.data) as { novel?: unknown } | null;
    if (data?.novel === true) return;
    await ctx.queue.enqueue(
      ProposeRemediations.name,
      { incidentId },
      { jobId: proposeRemediationsJobId(incidentId, done?.id ?? 0) },
    );
  });
}
