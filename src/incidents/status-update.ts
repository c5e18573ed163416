// Status updates (`/incident update`): a draft from what the copilot knows (the incident, its hypotheses, what was
// done), posted by someone allowed to (`post_update`) to the incident channel and the service's stakeholder channel,
// recorded on the timeline, with a durable reminder to the commander when the next update is due.
import { formatTimeOfDay } from '../../lib/wall-clock.js';
import { incidentOnset, teamZone } from './onset.js';
import { fillPlaceholders, placeholderValues } from './step-placeholders.js';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { requireAuthorized, type AccessActor } from '../authorization/authorize.js';
import { formatConfidence } from '../investigation/format-value.js';
import { requestPresentation } from '../jobs/presentations.js';
import { timerRunAt } from '../oncall/timers.js';
import { listRuns, type RemediationRun } from '../remediation/remediation-repository.js';
import { findIncident, type Incident } from './repository.js';
import { listIncidentRoles, type IncidentRole } from './roles-repository.js';
import { appendEvent, lastEventOfType } from './timeline-repository.js';

/** The shortest and longest wait before the next update a form may ask for. */
export const MIN_NEXT_UPDATE_MS = 5 * 60_000;
export const MAX_NEXT_UPDATE_MS = 24 * 3_600_000;
/** The most text a posted update keeps (Slack's section limit is 3000; the channel message carries a header). */
export const MAX_UPDATE_CHARS = 2800;

/** Posts a recorded status update in the incident channel and the stakeholder channel. Job id `status-update:<event>`. */
export const PostStatusUpdate = {
  name: 'post-status-update',
  schema: z.object({
    incidentId: z.number().int().positive(),
    /** The `status_update.posted` event it shows (its text, who posted it, the next update time). */
    eventId: z.number().int().positive(),
  }),
} as const;
export type PostStatusUpdatePayload = z.output<typeof PostStatusUpdate.schema>;

/** At the next update's due time: reminds the commander, unless a later update was posted or the incident resolved. */
export const RemindStatusUpdate = {
  name: 'remind-status-update',
  schema: z.object({ incidentId: z.number().int().positive(), eventId: z.number().int().positive() }),
} as const;
export type RemindStatusUpdatePayload = z.output<typeof RemindStatusUpdate.schema>;

/** What a draft is built from: read from Postgres by gatherStatusUpdate. */
export interface StatusUpdateFacts {
  incident: Pick<
    Incident,
    | 'publicId'
    | 'title'
    | 'severity'
    | 'status'
    | 'service'
    | 'commander'
    | 'openedAt'
    | 'acknowledgedAt'
    | 'investigation'
  >;
  roles: Pick<IncidentRole, 'role' | 'user'>[];
  runs: Pick<RemediationRun, 'action' | 'service' | 'status'>[];
  stakeholderChannel: string | null;
  now: Date;
  nextUpdateMs: number;
  /** The team's time zone: every time people read is in it. */
  zone: string;
}

const STATUS_WORD: Record<Incident['status'], string> = {
  triggered: 'Investigating',
  acknowledged: 'Investigating',
  mitigated: 'Mitigated, monitoring',
  resolved: 'Resolved',
};
const RUN_WORD: Record<string, string> = {
  proposed: 'proposed',
  approved: 'approved, starting',
  running: 'in progress',
  succeeded: 'done, checking recovery',
  verified: 'done, recovery confirmed',
  not_recovered: 'done, but the service has not recovered',
  failed: 'failed',
  rejected: 'rejected',
  undone: 'undone',
};

/**
 * The drafted update, as plain text a person edits before posting: what is known, the impact, what is being done
 * and when the next update comes. Pure; alert and hypothesis text is carried as written (the post escapes it).
 */
export function draftStatusUpdate(f: StatusUpdateFacts): string {
  const i = f.incident;
  // Affected since the onset the briefing shows (the investigation's change point), not since the page.
  const since = incidentOnset(i, undefined);
  const minutes = Math.max(0, Math.round((f.now.getTime() - since) / 60_000));
  const top = i.investigation?.hypotheses[0];
  const known = top
    ? `Most likely cause: ${top.summary} (${formatConfidence(top.confidence)} confidence).`
    : 'The cause is not known yet; the investigation is running.';
  const others = (i.investigation?.hypotheses.length ?? 0) - 1;
  const impact = i.service
    ? `${i.service} is affected since ${formatTimeOfDay(since, f.zone)} (${minutes} min), ${i.severity.toUpperCase()}.`
    : `Since ${formatTimeOfDay(since, f.zone)} (${minutes} min), ${i.severity.toUpperCase()}.`;
  const doing: string[] = [];
  for (const r of f.runs.filter((r) => r.status !== 'proposed').slice(-3))
    doing.push(`${r.action.replace(/_/g, ' ')} on ${r.service}: ${RUN_WORD[r.status] ?? r.status}.`);
  const step = i.investigation?.suggestedStep;
  if (doing.length === 0 && step) {
    // The command as the briefing shows it: placeholders filled from the incident (`<service>` → the service).
    const text = fillPlaceholders(step.text, placeholderValues(i)).text;
    doing.push(`Next step from the runbook: ${text.split('\n')[0]!.slice(0, 200)}`);
  }
  if (doing.length === 0) doing.push(i.acknowledgedAt ? 'Responders are investigating.' : 'Paging the on-call.');
  const people = [
    ...(i.commander ? [`commander <@${i.commander}>`] : []),
    ...f.roles.filter((r) => r.role !== 'commander').map((r) => `${r.role} <@${r.user}>`),
  ];
  const next = new Date(f.now.getTime() + f.nextUpdateMs);
  return [
    `${STATUS_WORD[i.status]}: ${i.title}`,
    `What we know: ${known}${others > 0 ? ` ${others} other lead${others === 1 ? '' : 's'} being checked.` : ''}`,
    `Impact: ${impact}`,
    `What we are doing: ${doing.join(' ')}${people.length ? ` (${people.join(', ')})` : ''}`,
    `Next update: by ${formatTimeOfDay(next, f.zone)}.`,
  ].join('\n');
}

/** Everything the draft needs, read from Postgres and the config. */
export async function gatherStatusUpdate(ctx: AppContext, incident: Incident): Promise<StatusUpdateFacts> {
  return {
    incident,
    roles: await listIncidentRoles(ctx.knex, incident.id, ctx.config.file.incidents.roles),
    runs: await listRuns(ctx.knex, incident.id),
    stakeholderChannel: stakeholderChannelOf(ctx, incident),
    now: ctx.clock.now(),
    nextUpdateMs: ctx.config.file.incidents.updateEvery,
    zone: teamZone(ctx.config.file, incident.team),
  };
}

export function stakeholderChannelOf(ctx: AppContext, incident: Pick<Incident, 'service'>): string | null {
  return ctx.config.file.services.find((s) => s.name === incident.service)?.stakeholderChannel ?? null;
}

async function incidentOrThrow(ctx: AppContext, incidentId: number): Promise<Incident> {
  const incident = await findIncident(ctx.knex, incidentId);
  if (!incident) throw new NotFoundError(`Incident ${incidentId}`);
  return incident;
}

/** Before the update form opens: the person must be allowed to post updates; returns the draft and where it goes. */
export async function beginStatusUpdateAs(
  ctx: AppContext,
  incidentId: number,
  actor: AccessActor,
): Promise<{ incident: Incident; draft: string; stakeholderChannel: string | null; nextUpdateMs: number }> {
  const incident = await incidentOrThrow(ctx, incidentId);
  await requireAuthorized(ctx, actor, 'post_update', { kind: 'incident', incident });
  const facts = await gatherStatusUpdate(ctx, incident);
  return {
    incident,
    draft: draftStatusUpdate(facts),
    stakeholderChannel: facts.stakeholderChannel,
    nextUpdateMs: facts.nextUpdateMs,
  };
}

/**
 * Posts a status update: records it (`status_update.posted`, once per form submission), asks for it to be posted to
 * the channel and the stakeholder channel, and sets the reminder timer for the next one, all in one transaction.
 */
export async function postStatusUpdateAs(
  ctx: AppContext,
  incidentId: number,
  input: { text: string; nextUpdateMs: number; submissionId: string },
  actor: AccessActor,
): Promise<{ posted: boolean; nextUpdateAt: Date; stakeholderChannel: string | null; zone: string }> {
  const text = input.text.trim();
  if (!text) throw new ValidationError('The update is empty');
  if (text.length > MAX_UPDATE_CHARS)
    throw new ValidationError(`The update is longer than ${MAX_UPDATE_CHARS} characters`);
  if (input.nextUpdateMs < MIN_NEXT_UPDATE_MS || input.nextUpdateMs > MAX_NEXT_UPDATE_MS)
    throw new ValidationError('The next update must be between 5 minutes and 24 hours away');
  const incident = await incidentOrThrow(ctx, incidentId);
  await requireAuthorized(ctx, actor, 'post_update', { kind: 'incident', incident });
  if (!incident.channelId) throw new ConflictError(`${incident.publicId} has no channel yet`);
  const now = ctx.clock.now();
  const nextUpdateAt = new Date(now.getTime() + input.nextUpdateMs);
  const stakeholderChannel = stakeholderChannelOf(ctx, incident);
  const posted = await ctx.knex.transaction(async (trx) => {
    const written = await appendEvent(trx, {
      incidentId,
      type: 'status_update.posted',
      actor: actor.id,
      at: now,
      dedupeKey: `status-update:${incidentId}:${input.submissionId}`,
      data: { text, nextUpdateAt: nextUpdateAt.toISOString(), stakeholderChannel },
    });
    if (!written) return false;
    const event = await lastEventOfType(trx, incidentId, 'status_update.posted');
    if (!event) throw new Error('the status update just recorded was not found');
    await requestPresentation(
      ctx,
      PostStatusUpdate,
      { incidentId, eventId: event.id },
      { jobId: `status-update:${event.id}`, trx },
    );
    // A durable timer: recorded with the update, re-armed by the queue after a restart.
    await requestPresentation(
      ctx,
      RemindStatusUpdate,
      { incidentId, eventId: event.id },
      { jobId: `status-update-remind:${event.id}`, runAt: timerRunAt(ctx.clock, nextUpdateAt), trx },
    );
    return true;
  });
  return { posted, nextUpdateAt, stakeholderChannel, zone: teamZone(ctx.config.file, incident.team) };
}

/** Whether a reminder for an update is still due: no later update was posted and the incident is not resolved. */
export async function reminderDue(
  ctx: AppContext,
  incidentId: number,
  eventId: number,
): Promise<{ due: false } | { due: true; incident: Incident; nextUpdateAt: string }> {
  const incident = await findIncident(ctx.knex, incidentId);
  if (!incident || incident.status === 'resolved') return { due: false };
  const last = await lastEventOfType(ctx.knex, incidentId, 'status_update.posted');
  if (!last || last.id !== eventId) return { due: false };
  const data = (last.data ?? {}) as { nextUpdateAt?: string };
  return { due: true, incident, nextUpdateAt: data.nextUpdateAt ?? '' };
}

/** A recorded status update: its text, who posted it, when the next one is due and the stakeholder channel. */
export interface RecordedStatusUpdate {
  incidentId: number;
  text: string;
  by: string;
  at: Date;
  nextUpdateAt: Date;
  stakeholderChannel: string | null;
}

export async function findStatusUpdate(ctx: AppContext, eventId: number): Promise<RecordedStatusUpdate | undefined> {
  const row = await ctx.knex('incident_events').where({ id: eventId, type: 'status_update.posted' }).first();
  if (!row) return undefined;
  const data = z
    .object({ text: z.string(), nextUpdateAt: z.string(), stakeholderChannel: z.string().nullish() })
    .parse(row.data);
  return {
    incidentId: row.incident_id as number,
    text: data.text,
    by: row.actor as string,
    at: row.at as Date,
    nextUpdateAt: new Date(data.nextUpdateAt),
    stakeholderChannel: data.stakeholderChannel ?? null,
  };
}
