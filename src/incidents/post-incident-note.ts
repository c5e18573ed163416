// Job: post one line in an incident's channel (a reopen note, what a re-investigation changed), queued with the change.
import { z } from 'zod';
import type { AppContext } from '../context.js';
import type { JobDefinition } from '../jobs/job-queue.js';
import { PermanentJobError } from '../errors.js';
import { findIncident } from './repository.js';

export const POST_INCIDENT_NOTE_JOB = 'post-incident-note';

const payloadSchema = z.object({ incidentId: z.number().int().positive(), text: z.string().min(1) });

/** Posts the note; before the channel exists (chat down) it fails and retries on its own, like the open-incident job. */
export async function postIncidentNote(ctx: AppContext, incidentId: number, text: string): Promise<void> {
  const incident = await findIncident(ctx.knex, incidentId);
  if (!incident) throw new PermanentJobError(`incident ${incidentId} does not exist`);
  if (!incident.channelId) throw new Error(`incident ${incident.publicId} has no channel yet`);
  await ctx.chat.postMessage(incident.channelId, text);
}

export function postIncidentNoteJob(ctx: AppContext): JobDefinition<z.infer<typeof payloadSchema>> {
  return { name: POST_INCIDENT_NOTE_JOB, schema: payloadSchema, attempts: 16, backoffMs: 1000, process: async ({ incidentId, text }) => postIncidentNote(ctx, incidentId, text) };
}
