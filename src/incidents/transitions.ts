// Use cases that move an incident through its states: acknowledge, resolve, escalate. Each applies once.
import type { Knex } from 'knex';
import type { AppContext } from '../context.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { findIncident, updateIncidentIfStatus, type Incident } from './repository.js';
import { appendEvent, cycleKey, escalationRunCount } from './timeline-repository.js';
import { scheduleBriefingUpdate } from './presentations.js';
import { requestPostmortemDraft } from '../postmortems/requests.js';
import { requestOutcomeRecord } from '../measure/requests.js';

/** Who did it: a Slack user id, or "pagerduty:<user>" / "copilot" for automatic changes. */
export interface Actor {
  id: string;
  /** How: "button", "command", "pagerduty", "modal". */
  via: string;
}

export interface TransitionResult {
  incident: Incident;
  /** False when the change had already been made (a second click, a retried delivery). */
  applied: boolean;
}

async function transition(
  ctx: AppContext,
  incidentId: number,
  fromStatuses: string[],
  patch: (now: Date) => Record<string, unknown>,
  event: { type: string; dedupeKey: string; data: Record<string, unknown> },
  actor: Actor,
  within?: (trx: Knex.Transaction, cycle: number) => Promise<void>,
): Promise<TransitionResult> {
  const now = ctx.clock.now();
  const result = await ctx.knex.transaction(async (trx: Knex.Transaction) => {
    // The conditional update is the guard: of two simultaneous clicks, only one matches the status it expects.
    const updated = await updateIncidentIfStatus(trx, incidentId, fromStatuses, patch(now), now);
    if (!updated) {
      const current = await findIncident(trx, incidentId);
      if (!current) throw new NotFoundError(`Incident ${incidentId}`);
      return { incident: current, applied: false };
    }
    // A reopened (or unacknowledged) incident is acknowledged and resolved again: its entries are keyed by the run.
    const cycle = await escalationRunCount(trx, incidentId);
    const dedupeKey = cycleKey(event.dedupeKey, cycle);
    await appendEvent(trx, {
      incidentId,
      type: event.type,
      actor: actor.id,
      at: now,
      dedupeKey,
      data: { via: actor.via, ...event.data },
    });
    await scheduleBriefingUpdate(ctx, incidentId, trx);
    if (within) await within(trx, cycle);
    return { incident: updated, applied: true };
  });
  return result;
}

/** Acknowledges a triggered incident; a second acknowledgement changes nothing. */
export async function acknowledgeIncident(
  ctx: AppContext,
  incidentId: number,
  actor: Actor,
): Promise<TransitionResult> {
  const r = await transition(
    ctx,
    incidentId,
    ['triggered'],
    (now) => ({ status: 'acknowledged', acknowledged_at: now }),
    { type: 'incident.acknowledged', dedupeKey: `ack:${incidentId}`, data: {} },
    actor,
  );
  if (r.applied) ctx.events.emit('incident.acknowledged', { incidentId, by: actor.id });
  return r;
}

/**
 * Puts an acknowledged incident back to triggered (PagerDuty's incident.unacknowledged: the ack timed out or was
 * undone there). Paging starts again: the escalation chain runs once more from its first step.
 */
export async function unacknowledgeIncident(
  ctx: AppContext,
  incidentId: number,
  actor: Actor,
): Promise<TransitionResult> {
  const r = await transition(
    ctx,
    incidentId,
    ['acknowledged'],
    () => ({ status: 'triggered', acknowledged_at: null }),
    { type: 'incident.unacknowledged', dedupeKey: `unack:${incidentId}`, data: {} },
    actor,
  );
  if (r.applied) ctx.events.emit('incident.unacknowledged', { incidentId, by: actor.id });
  return r;
}

/** The resolution people give when they resolve (the /incident resolve modal, or the Resolve button's modal). */
export interface Resolution {
  category?: string;
  /** The service the confirmed root cause was in. */
  service?: string | null;
  cause?: string | null;
  summary?: string;
}

/**
 * Resolves an open incident, once. Shared by the Resolve button, the /incident resolve modal and PagerDuty's
 * incident.resolved. Resolving frees the group: one of this incident's alerts firing again within
 * `incidents.regroupWindow` reopens it (and it is investigated again); any other alert, or a later one, opens a new
 * incident.
 */
export async function resolveIncident(
  ctx: AppContext,
  incidentId: number,
  actor: Actor,
  resolution: Resolution = {},
): Promise<TransitionResult> {
  const r = await transition(
    ctx,
    incidentId,
    ['triggered', 'acknowledged', 'mitigated'],
    (now) => ({ status: 'resolved', resolved_at: now, resolution: JSON.stringify(resolution) }),
    { type: 'incident.resolved', dedupeKey: `resolve:${incidentId}`, data: { resolution } },
    actor,
    // The postmortem draft and the outcome (src/measure) are asked for in the resolve's transaction: none is lost.
    async (trx, cycle) => {
      await requestPostmortemDraft(ctx, incidentId, cycle, trx);
      await requestOutcomeRecord(ctx, incidentId, cycle, trx);
    },
  );
  if (r.applied) ctx.events.emit('incident.resolved', { incidentId, by: actor.id });
  return r;
}

/** Marks the incident mitigated (remediation verified, or a person says so). */
export async function mitigateIncident(ctx: AppContext, incidentId: number, actor: Actor): Promise<TransitionResult> {
  const r = await transition(
    ctx,
    incidentId,
    ['triggered', 'acknowledged'],
    (now) => ({ status: 'mitigated', mitigated_at: now }),
    { type: 'incident.mitigated', dedupeKey: `mitigate:${incidentId}`, data: {} },
    actor,
  );
  if (r.applied) ctx.events.emit('incident.mitigated', { incidentId });
  return r;
}

/**
 * Records a request to escalate now. The on-call capability listens for `incident.escalation_requested` and pages
 * the next step; one request per interaction (the interaction id makes a retried click apply once).
 */
export async function requestEscalation(
  ctx: AppContext,
  incidentId: number,
  actor: Actor,
  interactionId: string,
): Promise<{ applied: boolean }> {
  const incident = await findIncident(ctx.knex, incidentId);
  if (!incident) throw new NotFoundError(`Incident ${incidentId}`);
  if (incident.status === 'resolved') throw new ConflictError(`${incident.publicId} is already resolved`);
  const applied = await ctx.knex.transaction(async (trx) => {
    const written = await appendEvent(trx, {
      incidentId,
      type: 'incident.escalation_requested',
      actor: actor.id,
      at: ctx.clock.now(),
      dedupeKey: `escalate:${incidentId}:${interactionId}`,
      data: { via: actor.via },
    });
    if (written) await scheduleBriefingUpdate(ctx, incidentId, trx);
    return written;
  });
  if (applied) ctx.events.emit('incident.escalation_requested', { incidentId, by: actor.id });
  return { applied };
}

/** Records a click (who, which button, when) on the timeline; a Slack retry of the same interaction records once. */
export async function recordClick(
  ctx: AppContext,
  incidentId: number,
  actor: Actor,
  action: string,
  interactionId: string,
): Promise<void> {
  await appendEvent(ctx.knex, {
    incidentId,
    type: 'click',
    actor: actor.id,
    at: ctx.clock.now(),
    dedupeKey: `click:${interactionId}:${actor.id}:${action}`,
    data: { action, via: actor.via },
  });
}
