// What the autonomy capability asks to be shown (src/jobs/presentations.ts): a note in the incident's channel saying
// what the copilot would have run (shadow), what it ran alone and that it worked, or that it undid it and paged.
import { z } from 'zod';

export const autonomyNoteSchema = z.object({
  kind: z.enum(['shadow', 'mitigated', 'escalated']),
  publicId: z.string(),
  runId: z.number().int().positive(),
  action: z.string(),
  service: z.string(),
  /** The autonomy rule that decided. */
  rule: z.string(),
  confidence: z.number().nullable(),
  cause: z.string().nullable(),
  /** The hypothesis the action answered (untrusted text: escaped where shown). */
  hypothesis: z.string().nullable(),
  /** What the copilot did, in order, one line each (escaped where shown). */
  steps: z.array(z.string()).default([]),
  /** The verification's one line, when judged. */
  verdict: z.string().nullable().default(null),
  /** False when the SLI had recovered before the action ran: mitigated, but not by it (not counted as its fix). */
  credited: z.boolean().optional(),
  /** For `escalated`: the run that undid the action (null when the catalog has no undo), and who was paged. */
  undoRunId: z.number().int().positive().nullable().default(null),
  paged: z.array(z.string()).default([]),
});
export type AutonomyNote = z.output<typeof autonomyNoteSchema>;

/** Post the note in the incident's channel (and, for `escalated`, by DM to each person paged). */
export const PostAutonomyNote = {
  name: 'post-autonomy-note',
  schema: z.object({ incidentId: z.number().int().positive(), note: autonomyNoteSchema }),
} as const;
export type PostAutonomyNotePayload = z.output<typeof PostAutonomyNote.schema>;

/** One note of each kind per run. */
export function autonomyNoteJobId(kind: AutonomyNote['kind'], runId: number): string {
  return `autonomy-note:${kind}:${runId}`;
}
