// Use cases people reach through /incident and the briefing's buttons: each authorizes the person first (see
// src/authorization), then acknowledges, escalates, changes severity or command, declares, or resolves with a root cause.
import type { Severity } from '../config.js';
import type { AppContext } from '../context.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { CATEGORIES, type Category } from '../investigation/evidence-model.js';
import { pageFromDeclaration } from '../investigation/page-summary.js';
import {
  findIncident,
  findIncidentByChannel,
  listOpenIncidents,
  updateIncident,
  type Incident,
} from '../incidents/repository.js';
import { appendEvent } from '../incidents/timeline-repository.js';
import { insertDeclaredIncident } from '../incidents/opening-repository.js';
import { InvestigateIncident, investigateJobId } from '../incidents/jobs/investigate-incident.js';
import { requestIncidentChannel } from '../incidents/presentations.js';
import { StartEscalation } from './jobs/start-escalation.js';
import {
  acknowledgeIncident,
  recordClick,
  requestEscalation,
  resolveIncident,
  type Actor,
  type TransitionResult,
} from '../incidents/transitions.js';
import { errorBudgetsFor, type ErrorBudget } from '../slo/error-budget.js';
import { requireAuthorized } from '../authorization/authorize.js';
import { changeSeverity } from './escalation.js';
import { requestPresentation } from '../jobs/presentations.js';
import { AnnounceCommander } from './presentations.js';
import { countPages } from './pages-repository.js';

/** A person acting through a click (the interaction id makes a retried click record once) or a command. */
export interface PersonActor extends Actor {
  interactionId?: string;
}

async function incidentOrThrow(ctx: AppContext, incidentId: number): Promise<Incident> {
  const incident = await findIncident(ctx.knex, incidentId);
  if (!incident) throw new NotFoundError(`Incident ${incidentId}`);
  return incident;
}

/** Records an allowed click with who clicked (a refused one writes only its refusal). */
async function recordAllowedClick(
  ctx: AppContext,
  incidentId: number,
  actor: PersonActor,
  action: string,
): Promise<void> {
  if (actor.interactionId) await recordClick(ctx, incidentId, actor, action, actor.interactionId);
}

/** Acknowledge (button or /incident ack), for those allowed to: stops paging. */
export async function acknowledgeAs(
  ctx: AppContext,
  incidentId: number,
  actor: PersonActor,
): Promise<TransitionResult> {
  const incident = await incidentOrThrow(ctx, incidentId);
  await requireAuthorized(ctx, actor, 'acknowledge', { kind: 'incident', incident });
  await recordAllowedClick(ctx, incidentId, actor, 'acknowledge');
  return acknowledgeIncident(ctx, incidentId, actor);
}

/** Escalate (button), for those allowed to: pages the next step now. */
export async function escalateAs(
  ctx: AppContext,
  incidentId: number,
  actor: PersonActor & { interactionId: string },
): Promise<{ applied: boolean }> {
  const incident = await incidentOrThrow(ctx, incidentId);
  await requireAuthorized(ctx, actor, 'escalate', { kind: 'incident', incident });
  await recordAllowedClick(ctx, incidentId, actor, 'escalate');
  return requestEscalation(ctx, incidentId, actor, actor.interactionId);
}

/** Before the resolve form opens (Resolve button, /incident resolve): the person must be allowed to resolve. */
export async function beginResolveAs(ctx: AppContext, incidentId: number, actor: PersonActor): Promise<Incident> {
  const incident = await incidentOrThrow(ctx, incidentId);
  await requireAuthorized(ctx, actor, 'resolve', { kind: 'incident', incident });
  await recordAllowedClick(ctx, incidentId, actor, 'resolve');
  return incident;
}

/** /incident sev, for those allowed to change severity. */
export async function changeSeverityAs(
  ctx: AppContext,
  incidentId: number,
  to: Severity,
  actor: PersonActor,
): Promise<{ from: Severity; to: Severity; changed: boolean }> {
  const incident = await incidentOrThrow(ctx, incidentId);
  await requireAuthorized(ctx, actor, 'change_severity', { kind: 'incident', incident });
  return changeSeverity(ctx, incidentId, to, actor.id);
}

/** What /incident status shows: the channel's incident with its service's error budget, or every open incident. */
export type IncidentStatusView =
  { kind: 'one'; incident: Incident; budgets: ErrorBudget[]; pages: number } | { kind: 'all'; incidents: Incident[] };

/** The incident a channel belongs to, or a NotFoundError telling the user to run the command in one. */
export async function incidentOfChannel(ctx: AppContext, channelId: string): Promise<Incident> {
  const incident = await findIncidentByChannel(ctx.knex, channelId);
  if (!incident) throw new NotFoundError('An incident for this channel (run this in an incident channel)');
  return incident;
}

export async function incidentStatus(ctx: AppContext, channelId: string): Promise<IncidentStatusView> {
  const incident = await findIncidentByChannel(ctx.knex, channelId);
  if (incident) {
    const budgets = incident.service ? await errorBudgetsFor(ctx, incident.service) : [];
    return { kind: 'one', incident, budgets, pages: await countPages(ctx.knex, incident.id) };
  }
  return { kind: 'all', incidents: await listOpenIncidents(ctx.knex, { limit: 40 }) };
}

/**
 * Hands command of an incident to someone (or takes it); only the current commander or an on-call of the service
 * may (config `authorization.change_commander`). Recorded on the timeline.
 */
export async function setCommander(
  ctx: AppContext,
  incidentId: number,
  commander: string,
  actor: PersonActor,
): Promise<Incident> {
  const by = actor.id;
  const before = await incidentOrThrow(ctx, incidentId);
  await requireAuthorized(ctx, actor, 'change_commander', { kind: 'incident', incident: before });
  const now = ctx.clock.now();
  const updated = await ctx.knex.transaction(async (trx) => {
    const incident = await updateIncident(trx, incidentId, { commander }, now);
    if (!incident) throw new NotFoundError(`incident ${incidentId}`);
    if (incident.status === 'resolved') throw new ConflictError(`${incident.publicId} is already resolved`);
    await appendEvent(trx, { incidentId, type: 'incident.commander_changed', actor: by, at: now, data: { commander } });
    if (before.commander !== commander && incident.channelId)
      await requestPresentation(
        ctx,
        AnnounceCommander,
        { incidentId, commander, by },
        { jobId: `commander:${incidentId}:${now.getTime()}`, trx },
      );
    return incident;
  });
  ctx.events.emit('incident.updated', { incidentId, reason: 'commander' });
  return updated;
}

export interface DeclareInput {
  title: string;
  service?: string;
  severity: Severity;
  summary?: string;
  /** Slack user id of who declared it; they become the commander. */
  by: string;
}

/**
 * Declares an incident by hand: it opens like a paged one (channel, briefing, investigation, escalation), with the
 * declarer as commander. The team comes from the service's owner.
 */
export async function declareIncident(ctx: AppContext, input: DeclareInput): Promise<Incident> {
  const file = ctx.config.file;
  const rule = file.authorization.declare;
  // Declaring has no incident yet: only a rule narrower than "anyone" needs the model (and its refusal is logged).
  if (!rule.anyone)
    await requireAuthorized(ctx, { id: input.by, via: 'modal' }, 'declare', {
      kind: 'incident',
      incident: {
        id: 0,
        publicId: 'an incident',
        service: input.service ?? null,
        team: null,
        commander: null,
        responders: [],
      },
    });
  if (input.service && !file.services.some((s) => s.name === input.service))
    throw new ValidationError(`Unknown service "${input.service}"`);
  const team =
    (input.service ? file.services.find((s) => s.name === input.service)?.team : undefined) ??
    file.routing.defaultTeam ??
    null;
  const now = ctx.clock.now();
  const prefix = file.incidents.idPrefix.toUpperCase();
  const incident = await ctx.knex.transaction(async (trx) => {
    // A declaration is a page too: investigated from its service and what was typed in the form.
    const page = pageFromDeclaration(
      { title: input.title, service: input.service ?? null, severity: input.severity, openedAt: now },
      input.summary?.trim() || null,
    );
    const created = await insertDeclaredIncident(trx, {
      prefix,
      title: input.title,
      severity: input.severity,
      service: input.service ?? null,
      team,
      commander: input.by,
      page,
      now,
    });
    await appendEvent(trx, {
      incidentId: created.id,
      type: 'incident.opened',
      actor: input.by,
      at: now,
      dedupeKey: `opened:${created.id}`,
      data: { severity: input.severity, team, title: input.title, summary: input.summary ?? '', declared: true },
    });
    // Investigated from its service and summary, and paged, whether or not chat is up: all queued with the incident.
    await ctx.queue.enqueue(
      InvestigateIncident.name,
      { incidentId: created.id },
      { jobId: investigateJobId(created.id), trx },
    );
    await ctx.queue.enqueue(
      StartEscalation.name,
      { incidentId: created.id },
      { jobId: `start-escalation-${created.id}`, trx },
    );
    await requestIncidentChannel(ctx, created.id, trx);
    return created;
  });
  ctx.metrics.incidentsOpened.inc({ severity: input.severity });
  ctx.events.emit('incident.opened', { incidentId: incident.id });
  return incident;
}

export interface RootCause {
  category: Category;
  /** The service the cause was in, when people said. */
  service?: string | null;
  cause: string | null;
  summary: string;
}

/** How the copilot's hypotheses fared against the root cause people gave. */
export interface HypothesisScore {
  actual: Category;
  predicted: string | null;
  confidence: number | null;
  correct: boolean;
  /** 1-based rank of the right category among the hypotheses; null when none named it. */
  rank: number | null;
  /** The investigation said nothing known explained it. */
  saidNovel: boolean;
}

/** Scores an investigation's ranked hypotheses against the resolved root cause (pure). */
export function scoreHypotheses(investigation: Incident['investigation'], actual: Category): HypothesisScore {
  const hyps = investigation?.hypotheses ?? [];
  const top = hyps[0];
  const idx = hyps.findIndex((h) => h.category === actual);
  const saidNovel = investigation?.novel ?? false;
  return {
    actual,
    predicted: top?.category ?? (saidNovel ? 'novel' : null),
    confidence: top?.confidence ?? null,
    correct: actual === 'novel' ? saidNovel || hyps.length === 0 : top?.category === actual,
    rank: idx >= 0 ? idx + 1 : null,
    saidNovel,
  };
}

/**
 * Resolves an incident with its root cause (stored in incidents.resolution) and records how the copilot's top
 * hypothesis compared (`hypothesis.scored`), so the copilot's accuracy is measured on real incidents.
 */
export async function resolveWithRootCause(
  ctx: AppContext,
  incidentId: number,
  rootCause: RootCause,
  actor: Actor,
): Promise<{ incident: Incident; applied: boolean; score: HypothesisScore | null }> {
  if (!(CATEGORIES as readonly string[]).includes(rootCause.category))
    throw new ValidationError(`Unknown root-cause category "${rootCause.category}"`);
  const before = await incidentOrThrow(ctx, incidentId);
  // Authorized when the form is submitted, not only when it opened: command or the shift may have changed since.
  await requireAuthorized(ctx, actor, 'resolve', { kind: 'incident', incident: before });
  const r = await resolveIncident(ctx, incidentId, actor, {
    category: rootCause.category,
    service: rootCause.service ?? null,
    cause: rootCause.cause,
    summary: rootCause.summary,
  });
  if (!r.applied) return { ...r, score: null };
  const score = scoreHypotheses(before.investigation, rootCause.category);
  await appendEvent(ctx.knex, {
    incidentId,
    type: 'hypothesis.scored',
    actor: 'copilot',
    at: ctx.clock.now(),
    dedupeKey: `hypothesis-scored:${incidentId}`,
    data: { ...score, cause: rootCause.cause },
  });
  return { ...r, score };
}
