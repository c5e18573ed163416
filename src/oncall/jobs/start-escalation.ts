// Job: start an incident's escalation; queued with the incident itself, so paging never waits for chat.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { startEscalation } from '../escalation.js';
import { JobNames } from '../job-names.js';

const payloadSchema = z.object({ incidentId: z.number().int().positive() });

/** startEscalation is idempotent per run of the chain, so this job and the `incident.opened` listener may both run it. */
export function startEscalationJob(ctx: AppContext): JobDefinition<z.infer<typeof payloadSchema>> {
  return {
    name: JobNames.startEscalation,
    schema: payloadSchema,
    attempts: 10,
    backoffMs: 1000,
    process: async ({ incidentId }) => {
      await startEscalation(ctx, incidentId);
    },
  };
}
