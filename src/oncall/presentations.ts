// The presentations the on-call capability requests (src/jobs/presentations.ts): Slack presenters render them.
import type { Knex } from 'knex';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import type { JobToEnqueue } from '../jobs/job-queue.js';
import { presentationJob, requestPresentation } from '../jobs/presentations.js';
import { escalationNoticeSchema, type EscalationNotice } from './escalation-notice.js';

/** Page one responder (a DM with an Acknowledge button) and count the page. Job id `page:<incident>:<round>:<step>:<user>`. */
export const PageResponder = {
  name: 'page-responder',
  schema: z.object({
    incidentId: z.number().int().positive(),
    round: z.number().int().min(0),
    step: z.number().int().min(0),
    steps: z.number().int().min(1),
    /** Slack user id. */
    user: z.string().min(1),
    lateByMs: z.number().min(0).default(0),
    /** Why it went out late (`down`: the copilot was not running at its time; `busy`: the queue was busy). */
    lateCause: z.enum(['down', 'busy']).optional(),
  }),
} as const;
export type PageResponderPayload = z.output<typeof PageResponder.schema>;

/**
 * One escalation note in the incident's channel, or the owning team's alerts channel before it exists. Job id
 * `notice:<incident>:<key>`. `text`/`blocks`: a note recorded before notes were data (still shown as recorded).
 */
export const AnnounceEscalation = {
  name: 'announce-escalation',
  schema: z
    .object({
      incidentId: z.number().int().positive(),
      /**
       * The incident's channel when the requester knew it (recorded once, never changed): the note goes there with no
       * read of the incident. Unset: the presenter reads whether the channel exists by now.
       */
      channelId: z.string().min(1).optional(),
      notice: escalationNoticeSchema.optional(),
      text: z.string().min(1).optional(),
      blocks: z.array(z.looseObject({ type: z.string() })).optional(),
    })
    .refine((p) => p.notice !== undefined || p.text !== undefined, 'a notice or a text'),
} as const;
export type AnnounceEscalationPayload = z.output<typeof AnnounceEscalation.schema>;

/** Asks for a note in the incident's channel (or the team's alerts channel) inside the caller's transaction. */
export async function enqueueNotice(
  ctx: AppContext,
  incidentId: number,
  key: string,
  notice: EscalationNotice,
  trx?: Knex.Transaction,
  channelId?: string | null,
): Promise<void> {
  await requestPresentation(
    ctx,
    AnnounceEscalation,
    { incidentId, notice, ...(channelId ? { channelId } : {}) },
    { jobId: `notice:${incidentId}:${key}`, ...(trx ? { trx } : {}) },
  );
}

/** The job `enqueueNotice` would record, for a caller that enqueues several jobs in one statement. */
export function noticeJob(
  incidentId: number,
  key: string,
  notice: EscalationNotice,
  channelId?: string | null,
): JobToEnqueue {
  return presentationJob(
    AnnounceEscalation,
    { incidentId, notice, ...(channelId ? { channelId } : {}) },
    { jobId: `notice:${incidentId}:${key}` },
  );
}

/** The page DMs and the alerts-channel pointer say the incident was answered, and lose the Acknowledge button. */
export const UpdateAnsweredPages = {
  name: 'update-answered-pages',
  schema: z.object({
    incidentId: z.number().int().positive(),
    status: z.enum(['acknowledged', 'resolved', 'alerts_resolved']),
    /** A Slack user id, or "pagerduty:<name>" / "copilot". */
    by: z.string().min(1),
  }),
} as const;
export type UpdateAnsweredPagesPayload = z.output<typeof UpdateAnsweredPages.schema>;

/** Posts a recorded handoff in its channel, or updates the posted one (a confirmation). Job id `handoff-post:<id>`. */
export const ShowHandoff = {
  name: 'show-handoff',
  schema: z.object({ handoffId: z.number().int().positive() }),
} as const;

/** Reminds an unconfirmed handoff in its thread (`remind`), then tells the team lead (`escalate`). */
export const RemindHandoff = {
  name: 'remind-handoff',
  schema: z.object({ handoffId: z.number().int().positive(), stage: z.enum(['remind', 'escalate']) }),
} as const;
export type RemindHandoffPayload = z.output<typeof RemindHandoff.schema>;

/** Says in the incident channel who commands it now. */
export const AnnounceCommander = {
  name: 'announce-commander',
  schema: z.object({ incidentId: z.number().int().positive(), commander: z.string().min(1), by: z.string().min(1) }),
} as const;
