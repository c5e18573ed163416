// What the incidents capability asks a chat presenter to show; each request is a durable job (presenters/slack/).
import type { Knex } from 'knex';
import { z } from 'zod';
import { presentationJob, requestPresentation } from '../jobs/presentations.js';
import type { JobQueue, JobToEnqueue } from '../jobs/job-queue.js';

const incidentPayload = z.object({ incidentId: z.number().int().positive() });

/** The incident's channel, topic, first briefing ("investigating"), responders and the pointer in the alerts channel. */
export const OpenIncidentChannel = { name: 'open-incident', schema: incidentPayload } as const;

/** The briefing re-rendered in place from Postgres, with a thread note saying what changed. */
export const UpdateBriefing = { name: 'update-briefing', schema: incidentPayload } as const;

/** Why the incident was investigated again and how its top hypothesis moved (alert name and service are untrusted). */
export const whatChangedSchema = z.object({
  reason: z.enum(['reopened', 'new_alert', 'fired_again']),
  alertname: z.string().nullable(),
  service: z.string().nullable(),
  /** The top hypothesis before and after (null: none). */
  from: z.string().nullable(),
  to: z.string().nullable(),
});
export type WhatChanged = z.infer<typeof whatChangedSchema>;

/** One piece of evidence as the note cites it: its kind, id and detail (numbers; untrusted text, escaped when shown). */
const noteEvidenceSchema = z.object({ kind: z.string(), ref: z.string(), detail: z.string() });

/**
 * One hypothesis that moved between two investigations, with its confidences already formatted ("62%") and the
 * evidence that moved it (see src/investigation/hypothesis-diff.ts).
 */
export const movedHypothesisSchema = z.object({
  kind: z.enum(['new', 'strengthened', 'weakened', 'ruled_out']),
  summary: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  added: z.array(noteEvidenceSchema),
  removed: z.array(noteEvidenceSchema),
});
export type MovedHypothesis = z.infer<typeof movedHypothesisSchema>;

/** Why the investigation ran again, for the note under the briefing (ids and services are untrusted text). */
export const rerunCauseSchema = z.object({
  reason: z.enum(['reopened', 'new_alert', 'fired_again', 'deploy', 'change', 'refresh', 'manual']),
  /** The deploy or change id, or the alert name, that asked for it. */
  ref: z.string().nullable(),
  service: z.string().nullable(),
});
export type RerunCause = z.infer<typeof rerunCauseSchema>;

/** What moved in a re-investigation: hypotheses, and the SLI recovering (its reading, formatted). */
export const movesNoteSchema = z.object({
  cause: rerunCauseSchema,
  moves: z.array(movedHypothesisSchema),
  recovery: z.string().nullable(),
});
export type MovesNote = z.infer<typeof movesNoteSchema>;

/**
 * A line for the channel: the group fired again after the resolve, or what a re-investigation changed; `moved` goes
 * in the briefing's thread.
 */
export const incidentNoteSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('reopened'), alertname: z.string(), minutesAfterResolve: z.number().int().nonnegative() }),
  z.object({ kind: z.literal('what_changed'), change: whatChangedSchema }),
  z.object({ kind: z.literal('moved'), moved: movesNoteSchema }),
  /** `/incident split`: a service's alerts moved to a new incident (ids are the copilot's; the service is untrusted). */
  z.object({
    kind: z.literal('split'),
    service: z.string(),
    from: z.string(),
    to: z.string(),
    alerts: z.number().int(),
    by: z.string(),
  }),
  /** `/incident merge`: an incident's alerts, timeline and pages moved into another, which it now points to. */
  z.object({ kind: z.literal('merged'), from: z.string(), into: z.string(), alerts: z.number().int(), by: z.string() }),
  /** What a briefing update changed (the note under the briefing), when Slack's budget kept it from going with the edit. */
  z.object({ kind: z.literal('changes'), changes: z.array(z.string()).min(1) }),
]);
export type IncidentNote = z.infer<typeof incidentNoteSchema>;

/**
 * One line in the incident's channel, queued with the change it tells. `text` is the form an earlier version
 * recorded (already rendered); jobs still pending from it run as they were queued.
 */
export const PostIncidentNote = {
  name: 'post-incident-note',
  schema: z.union([
    incidentPayload.extend({ note: incidentNoteSchema }),
    incidentPayload.extend({ text: z.string().min(1) }),
  ]),
} as const;

/** The first open-incident job runs this long after the incident opened, only to finish what the inline attempt could not. */
export const OPEN_INCIDENT_SAFETY_DELAY_MS = 30_000;
/** Updates within one bucket share one job: an alert storm edits the message a few times, not once per alert. */
export const BRIEFING_BUCKET_MS = 2000;

/**
 * Asks for the incident's channel, inside the transaction that opened the incident. A presenter opens it at once on
 * `incident.opened`; this job is the safety net for a crash, and it runs after OPEN_INCIDENT_SAFETY_DELAY_MS.
 */
export async function requestIncidentChannel(
  ctx: { queue: JobQueue },
  incidentId: number,
  trx: Knex.Transaction,
): Promise<void> {
  await ctx.queue.enqueueMany([incidentChannelJob(incidentId)], { trx });
}

/**
 * The ids of an incident's `open-incident` jobs: the safety net queued with the incident, and the retry that replaces
 * it when the inline attempt failed (presenters/slack/jobs/open-incident-channel.ts).
 */
export function openIncidentJobIds(incidentId: number): { safetyNet: string; retry: string } {
  return { safetyNet: `open-incident-${incidentId}`, retry: `open-incident-${incidentId}-retry` };
}

/** The safety-net `open-incident` job of `requestIncidentChannel`, to enqueue with other jobs in one statement. */
export function incidentChannelJob(incidentId: number): JobToEnqueue {
  return presentationJob(
    OpenIncidentChannel,
    { incidentId },
    { jobId: openIncidentJobIds(incidentId).safetyNet, delayMs: OPEN_INCIDENT_SAFETY_DELAY_MS },
  );
}

/**
 * Schedules a briefing update at the end of the current time bucket, with a deterministic id so that every change
 * within the bucket is covered by one job. Pass `trx` to tie the job to the transaction that made the change.
 */
export async function scheduleBriefingUpdate(
  ctx: { queue: JobQueue },
  incidentId: number,
  trx?: Knex.Transaction,
): Promise<void> {
  const job = briefingUpdateJob(incidentId);
  await requestPresentation(ctx, UpdateBriefing, job.payload as { incidentId: number }, {
    ...job.opts,
    ...(trx ? { trx } : {}),
  });
}

/** The job `scheduleBriefingUpdate` would record, to enqueue with other jobs in one statement. */
export function briefingUpdateJob(incidentId: number): JobToEnqueue {
  // Real time, not ctx.clock: coalescing protects Slack's rate limits, which run on wall time even in a simulated world.
  const now = Date.now();
  const bucket = Math.floor(now / BRIEFING_BUCKET_MS);
  const delayMs = (bucket + 1) * BRIEFING_BUCKET_MS - now;
  return presentationJob(UpdateBriefing, { incidentId }, { jobId: `update-briefing-${incidentId}-${bucket}`, delayMs });
}
