// Job: start an incident's escalation; queued with the incident itself, so paging never waits for chat.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { startEscalation } from '../escalation.js';

const payloadSchema = z.object({ incidentId: z.number().int().positive() });

/** Queued in the transaction that opens or reopens an incident. Job ids `start-escalation-<incident>[-r<n>]`. */
export const StartEscalation = { name: 'start-escalation', schema: payloadSchema } as const;

/** startEscalation is idempotent per run of the chain, so this job and the `incident.opened` listener may both run it. */
export function startEscalationJob(ctx: AppContext): JobDefinition<z.infer<typeof payloadSchema>> {
  return defineJob({
    lane: 'urgent',
    ...StartEscalation,
    attempts: 10,
    backoffMs: 1000,
    process: async ({ incidentId }) => {
      await startEscalation(ctx, incidentId, { completeJob: StartEscalation.name });
    },
  });
}
