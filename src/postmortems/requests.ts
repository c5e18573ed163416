// The postmortem's jobs and presentations, declared apart from their processors so the incident's resolve can ask
// for a draft inside its own transaction without importing the capability.
import { z } from 'zod';
import type { Knex } from 'knex';
import type { JobQueue } from '../jobs/job-queue.js';

/** Drafts the postmortem of a resolved incident (once per incident). */
export const DraftPostmortem = {
  name: 'draft-postmortem',
  schema: z.object({ incidentId: z.number().int().positive() }),
} as const;

/** Publishes a postmortem: one pull request in RUNBOOKS_REPO, the follow-up issues, the links in the channel. */
export const PublishPostmortem = {
  name: 'publish-postmortem',
  schema: z.object({ postmortemId: z.number().int().positive() }),
} as const;

/** Shows the postmortem in the incident channel: posts its review message, or updates it to its current state. */
export const ShowPostmortem = {
  name: 'show-postmortem',
  schema: z.object({
    postmortemId: z.number().int().positive(),
    /** A line to post in the channel as well (a publish failure, what was published). */
    note: z.string().max(3000).optional(),
  }),
} as const;
export type ShowPostmortemPayload = z.output<typeof ShowPostmortem.schema>;

export const draftPostmortemJobId = (incidentId: number, cycle: number) => `draft-postmortem:${incidentId}:${cycle}`;
export const publishPostmortemJobId = (postmortemId: number, attempt: number) =>
  `publish-postmortem:${postmortemId}:${attempt}`;

/** Asks for the draft inside the resolving transaction: it exists if and only if the resolve committed. */
export async function requestPostmortemDraft(
  ctx: { queue: JobQueue },
  incidentId: number,
  cycle: number,
  trx: Knex.Transaction,
): Promise<void> {
  await ctx.queue.enqueue(DraftPostmortem.name, DraftPostmortem.schema.parse({ incidentId }), {
    jobId: draftPostmortemJobId(incidentId, cycle),
    trx,
  });
}
