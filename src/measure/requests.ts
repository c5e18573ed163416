// The measure capability's jobs, declared apart from their processors so the incident's resolve can ask for its
// outcome to be recorded inside its own transaction without importing the capability.
import { z } from 'zod';
import type { Knex } from 'knex';
import type { JobQueue } from '../jobs/job-queue.js';

/** Records how a resolved incident ended (its class, time to mitigate, the scores of its hypotheses). */
export const RecordIncidentOutcome = {
  name: 'record-incident-outcome',
  schema: z.object({ incidentId: z.number().int().positive() }),
} as const;

/** Posts the weekly summary of the copilot's figures to `copilot.summaryChannel`, once per slot. */
export const PostCopilotSummary = {
  name: 'post-copilot-summary',
  schema: z.object({ slot: z.string().min(1) }),
} as const;

export const recordOutcomeJobId = (incidentId: number, cycle: number) => `record-outcome:${incidentId}:${cycle}`;
export const summaryJobId = (slot: string) => `copilot-summary:${slot}`;

/** Asks for the outcome inside the resolving transaction: it is recorded if and only if the resolve committed. */
export async function requestOutcomeRecord(
  ctx: { queue: JobQueue },
  incidentId: number,
  cycle: number,
  trx: Knex.Transaction,
): Promise<void> {
  await ctx.queue.enqueue(RecordIncidentOutcome.name, RecordIncidentOutcome.schema.parse({ incidentId }), {
    jobId: recordOutcomeJobId(incidentId, cycle),
    trx,
  });
}
