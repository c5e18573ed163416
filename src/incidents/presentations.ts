// What the incidents capability asks a chat presenter to show; each request is a durable job (presenters/slack/).
import { z } from 'zod';

const incidentPayload = z.object({ incidentId: z.number().int().positive() });

/** One line in the incident's channel (a reopen note, what a re-investigation changed), queued with the change. */
export const PostIncidentNote = {
  name: 'post-incident-note',
  schema: incidentPayload.extend({ text: z.string().min(1) }),
} as const;
