// Use cases: `/incident split <service>` moves a service's alerts (and the timeline entries about them) out of a storm
// into a new incident with its own escalation; `/incident merge INC-N` moves another incident's alerts, timeline and
// pages into this one and closes it with a pointer. Each is one transaction (a restart mid-way leaves all or nothing),
// and the follow-up work is jobs recorded in it; repeating either changes nothing.
import type { AppContext } from '../context.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { requireAuthorized, type AccessActor } from '../authorization/authorize.js';
import { movePages } from '../oncall/pages-repository.js';
import { StartEscalation } from '../oncall/jobs/start-escalation.js';
import { InvestigateIncident, investigateJobId } from './jobs/investigate-incident.js';
import { requestPresentation } from '../jobs/presentations.js';
import { PostIncidentNote, incidentChannelJob, scheduleBriefingUpdate } from './presentations.js';
import { findIncident, findIncidentByPublicId, lockIncidentState, updateIncidentIfStatus } from './repository.js';
import { appendEvents, findEventByKey } from './timeline-repository.js';
import { insertPagedIncident } from './opening-repository.js';
import { alertsOfService, moveAlerts, moveTimeline, splitGroupKey } from './split-merge-repository.js';
import { FinishMerge } from './split-merge-jobs.js';

const OPEN = ['triggered', 'acknowledged', 'mitigated'];

export interface SplitOutcome {
  /** False when the service had already been split out (a repeated command): `to` is where it went. */
  applied: boolean;
  from: string;
  to: string;
  alerts: number;
  /** The new incident's row id (when applied). */
  splitId?: number;
}

/**
 * Moves `service`'s alerts of the incident, and the alert entries of its timeline about them, to a new incident of
 * that service, which opens like a paged one (channel, investigation, its own escalation). Allowed to `split_incident`.
 */
export async function splitIncidentAs(
  ctx: AppContext,
  incidentId: number,
  service: string,
  actor: AccessActor,
): Promise<SplitOutcome> {
  const incident = await findIncident(ctx.knex, incidentId);
  if (!incident) throw new NotFoundError(`Incident ${incidentId}`);
  await requireAuthorized(ctx, actor, 'split_incident', { kind: 'incident', incident });
  const now = ctx.clock.now();
  const dedupeKey = `split:${incidentId}:${service}`;
  const outcome = await ctx.knex.transaction(async (trx): Promise<SplitOutcome> => {
    await lockIncidentState(trx, incidentId);
    const done = await findEventByKey(trx, dedupeKey);
    if (done) {
      const to = (done.data as { to?: string }).to ?? 'another incident';
      return { applied: false, from: incident.publicId, to, alerts: 0 };
    }
    const current = (await findIncident(trx, incidentId))!;
    if (current.status === 'resolved') throw new ConflictError(`${current.publicId} is already resolved`);
    const alerts = await alertsOfService(trx, incidentId, service);
    if (!alerts.length)
      throw new ValidationError(`${current.publicId} has no alert of the service \`${service.slice(0, 60)}\``);
    const remaining = await alertsOfService(trx, incidentId, null);
    if (remaining.length === alerts.length)
      throw new ValidationError(
        `Every alert of ${current.publicId} is of \`${service.slice(0, 60)}\`: nothing to split`,
      );
    const first = alerts[0]!;
    const split = await insertPagedIncident(trx, {
      prefix: ctx.config.file.incidents.idPrefix.toUpperCase(),
      title: `${first.alertname ?? 'alert'} on ${service}`.slice(0, 150),
      severity: current.severity,
      service,
      team: ctx.config.file.services.find((s) => s.name === service)?.team ?? current.team,
      source: current.source,
      groupKey: await splitGroupKey(trx, alerts, current.groupKey),
      externalId: null,
      escalationSnapshot: null,
      page: null,
      now,
    });
    if (!split) throw new ConflictError(`The alert group of \`${service.slice(0, 60)}\` already has an open incident`);
    const moved = await moveAlerts(trx, incidentId, split.id, service);
    const entries = await moveTimeline(trx, incidentId, split.id, service);
    await appendEvents(trx, [
      {
        incidentId,
        type: 'incident.split',
        actor: actor.id,
        at: now,
        dedupeKey,
        data: { via: actor.via, service, to: split.publicId, toId: split.id, alerts: moved, entries },
      },
      {
        incidentId: split.id,
        type: 'incident.opened',
        actor: actor.id,
        at: now,
        dedupeKey: `opened:${split.id}`,
        data: { severity: split.severity, team: split.team, title: split.title, splitFrom: current.publicId },
      },
      {
        incidentId: split.id,
        type: 'incident.split_from',
        actor: actor.id,
        at: now,
        dedupeKey: `split-from:${split.id}`,
        data: { via: actor.via, service, from: current.publicId, fromId: incidentId, alerts: moved, entries },
      },
    ]);
    // As a new paged incident: investigated, escalated on its own, its channel opened.
    await ctx.queue.enqueueMany(
      [
        {
          name: InvestigateIncident.name,
          payload: { incidentId: split.id },
          opts: { jobId: investigateJobId(split.id) },
        },
        {
          name: StartEscalation.name,
          payload: { incidentId: split.id },
          opts: { jobId: `start-escalation-${split.id}` },
        },
        incidentChannelJob(split.id),
        {
          name: InvestigateIncident.name,
          payload: { incidentId, trigger: { reason: 'manual', by: actor.id } },
          opts: { jobId: investigateJobId(incidentId, `split-${service}`) },
        },
      ],
      { trx },
    );
    await scheduleBriefingUpdate(ctx, incidentId, trx);
    const note = {
      kind: 'split' as const,
      service,
      from: current.publicId,
      to: split.publicId,
      alerts: moved,
      by: actor.id,
    };
    // The new incident's note waits for its channel (the presenter job retries until it exists).
    for (const id of [incidentId, split.id])
      await requestPresentation(
        ctx,
        PostIncidentNote,
        { incidentId: id, note },
        { jobId: `split-note:${split.id}:${id}`, trx },
      );
    return { applied: true, from: current.publicId, to: split.publicId, alerts: moved, splitId: split.id };
  });
  if (outcome.applied && outcome.splitId) {
    ctx.events.emit('incident.opened', { incidentId: outcome.splitId });
    ctx.events.emit('incident.updated', { incidentId, reason: 'split' });
  }
  return outcome;
}

export interface MergeOutcome {
  /** False when it had already been merged (a repeated command). */
  applied: boolean;
  into: string;
  from: string;
  alerts: number;
}

/**
 * Moves incident `fromPublicId`'s alerts, timeline and pages into `intoId` (the channel's incident), and closes it
 * with a pointer; its escalation timers are cancelled by the `finish-merge` job recorded in the same transaction.
 * Allowed to `merge_incident` on the surviving incident.
 */
export async function mergeIncidentAs(
  ctx: AppContext,
  intoId: number,
  fromPublicId: string,
  actor: AccessActor,
): Promise<MergeOutcome> {
  const into = await findIncident(ctx.knex, intoId);
  if (!into) throw new NotFoundError(`Incident ${intoId}`);
  await requireAuthorized(ctx, actor, 'merge_incident', { kind: 'incident', incident: into });
  const from = await findIncidentByPublicId(ctx.knex, fromPublicId.toUpperCase());
  if (!from) throw new NotFoundError(`Incident ${fromPublicId.slice(0, 20)}`);
  if (from.id === into.id) throw new ValidationError(`${into.publicId} cannot be merged into itself`);
  const now = ctx.clock.now();
  const outcome = await ctx.knex.transaction(async (trx): Promise<MergeOutcome> => {
    // Both rows locked in id order, so two opposite merges cannot deadlock.
    for (const id of [into.id, from.id].sort((a, b) => a - b)) await lockIncidentState(trx, id);
    const done = await findEventByKey(trx, `merged-into:${from.id}`);
    if (done) {
      const target = (done.data as { into?: string }).into ?? 'another incident';
      if (target !== into.publicId) throw new ConflictError(`${from.publicId} was already merged into ${target}`);
      return { applied: false, into: into.publicId, from: from.publicId, alerts: 0 };
    }
    const intoNow = (await findIncident(trx, into.id))!;
    if (intoNow.status === 'resolved') throw new ConflictError(`${into.publicId} is already resolved`);
    const closed = await updateIncidentIfStatus(
      trx,
      from.id,
      OPEN,
      {
        status: 'resolved',
        resolved_at: now,
        resolution: JSON.stringify({ summary: `Merged into ${into.publicId}`, mergedInto: into.publicId }),
      },
      now,
    );
    if (!closed) throw new ConflictError(`${from.publicId} is already resolved; only an open incident is merged`);
    const alerts = await moveAlerts(trx, from.id, into.id);
    const entries = await moveTimeline(trx, from.id, into.id);
    const pages = await movePages(trx, from.id, into.id);
    await appendEvents(trx, [
      {
        incidentId: from.id,
        type: 'incident.merged_into',
        actor: actor.id,
        at: now,
        dedupeKey: `merged-into:${from.id}`,
        data: { via: actor.via, into: into.publicId, intoId: into.id, alerts, entries, pages },
      },
      {
        incidentId: from.id,
        type: 'incident.resolved',
        actor: actor.id,
        at: now,
        dedupeKey: `resolve:${from.id}:merged`,
        data: { via: actor.via, resolution: { summary: `Merged into ${into.publicId}` } },
      },
      {
        incidentId: into.id,
        type: 'incident.merged',
        actor: actor.id,
        at: now,
        dedupeKey: `merged:${into.id}:${from.id}`,
        data: { via: actor.via, from: from.publicId, fromId: from.id, alerts, entries, pages },
      },
    ]);
    await ctx.queue.enqueueMany(
      [
        {
          name: FinishMerge.name,
          payload: { fromId: from.id, intoId: into.id, by: actor.id },
          opts: { jobId: `finish-merge-${from.id}` },
        },
        {
          name: InvestigateIncident.name,
          payload: { incidentId: into.id, trigger: { reason: 'manual', by: actor.id } },
          opts: { jobId: investigateJobId(into.id, `merge-${from.id}`) },
        },
      ],
      { trx },
    );
    await scheduleBriefingUpdate(ctx, into.id, trx);
    await scheduleBriefingUpdate(ctx, from.id, trx);
    return { applied: true, into: into.publicId, from: from.publicId, alerts };
  });
  if (outcome.applied) ctx.events.emit('incident.updated', { incidentId: into.id, reason: 'merged' });
  return outcome;
}
