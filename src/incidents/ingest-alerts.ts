// Use case: alerts arrive (from a processed delivery) and join the open incident of their group, reopen its recently
// resolved one when the same alert fires again, or open a new one; each new lead is investigated.
import type { Knex } from 'knex';
import type { Severity } from '../config.js';
import type { AppContext } from '../context.js';
import type { Alert } from '../intake/alert.js';
import type { PageSummary } from '../investigation/ports.js';
import { routeAlert } from '../oncall/routing.js';
import { snapshotAtOpening, snapshotOfPolicy } from '../oncall/escalation-policy.js';
import { incidentTitle } from './naming.js';
import { findOpenIncidentByGroupKey, lockIncidentState, type Incident } from './repository.js';
import { appendEvents, countEvents, latestTruncation, type TimelineEventInput } from './timeline-repository.js';
import { findOpenIncidentOf, insertPagedIncident } from './opening-repository.js';
import { appendEventsWith, firingCount, knownLeads, upsertAlerts, upsertAlertsQuery } from './alerts-repository.js';
import { StartEscalation } from '../oncall/jobs/start-escalation.js';
import type { InvestigationTrigger } from './investigate-incident.js';
import { InvestigateIncident, investigateJobId } from './jobs/investigate-incident.js';
import { incidentChannelJob, scheduleBriefingUpdate } from './presentations.js';
import { reopenRecentIncident } from './reopen-recent-incident.js';
import { investigateAfterJoin, joinCorrelatedIncident } from './correlation-join.js';
import type { StoredSpan } from '../investigation/spans-repository.js';

export interface IngestOutcome {
  incidentId: number;
  /** The incident as this ingestion found or opened it. */
  incident: Incident;
  publicId: string;
  opened: boolean;
  /** Set when an alert of the group's incident resolved within incidents.regroupWindow fired again: its reopen count. */
  reopened?: number;
  alerts: number;
  /** True when this batch resolved the last firing alert of the incident. */
  allResolved: boolean;
  /** True when an alert fired again in an unacknowledged incident after every alert had resolved: the chain runs again. */
  firingAgain: boolean;
}

/** Where the alerts came from (kept on their timeline entries, so the investigation can read the original page). */
export interface AlertOrigin {
  /** The webhook delivery; absent for alerts the copilot raised itself (an SLO's burn). */
  deliveryId?: number;
  /**
   * The severity the source decided (an SLO's alerting definition) for an incident these alerts open; routing still
   * picks the team and the escalation policy. Absent: the routing rules decide the severity too.
   */
  severity?: Severity;
  /** Alerts of the group the sender left out of this delivery (Alertmanager's `truncatedAlerts`, max_alerts). */
  truncated?: number;
  /** What paged, parsed from the same delivery: kept with an incident this delivery opens. */
  page?: PageSummary;
}

/**
 * Records alerts, grouped by the incident they belong to: the open incident holding the same fingerprint, else the
 * open incident of the same group (PagerDuty incident or Alertmanager group), else, when one of the firing alerts is
 * an alert of the group's incident resolved less than `incidents.regroupWindow` ago, that incident (reopened), else
 * an open incident whose services the page's service is connected to (storm correlation, correlation-join.ts), else a
 * new incident: a different failure never inherits an old diagnosis. Each group is one transaction that writes the
 * alerts, their timeline events and the follow-up jobs (the investigation and the escalation of a new or reopened
 * incident, the investigation of a new alert pointing elsewhere, opening the channel, a coalesced briefing update), so
 * several replicas ingesting the same group end up with one incident, and chat being down delays only chat.
 */
export async function ingestAlerts(ctx: AppContext, alerts: Alert[], origin: AlertOrigin): Promise<IngestOutcome[]> {
  const byGroup = new Map<string, Alert[]>();
  for (const a of alerts) byGroup.set(a.groupKey, [...(byGroup.get(a.groupKey) ?? []), a]);
  const outcomes: IngestOutcome[] = [];
  for (const [groupKey, group] of byGroup) {
    // Spans the group's transaction stored, exported once it has committed (never a decision the database lost).
    const committedSpans: StoredSpan[] = [];
    const outcome = await ctx.knex.transaction((trx) => ingestGroup(ctx, trx, groupKey, group, origin, committedSpans));
    if (committedSpans.length) ctx.services.traces?.export(committedSpans);
    if (!outcome) continue;
    outcomes.push(outcome);
    if (outcome.opened) {
      // The chat presenter opens the channel at once on this event (the first message within 2 s of the page).
      // The earliest alert of the batch is the new incident's first (it has no other): it names the channel.
      const first = group.reduce((a, b) => (b.startsAt.getTime() < a.startsAt.getTime() ? b : a));
      ctx.events.emit('incident.opened', {
        incidentId: outcome.incidentId,
        opened: outcome.incident,
        alertname: first.alertname,
      });
    } else if (outcome.reopened !== undefined) {
      ctx.events.emit('incident.reopened', { incidentId: outcome.incidentId, reopenCount: outcome.reopened });
      ctx.events.emit('incident.updated', { incidentId: outcome.incidentId, reason: 'reopened' });
    } else {
      if (outcome.firingAgain) ctx.events.emit('incident.firing_again', { incidentId: outcome.incidentId });
      ctx.events.emit('incident.updated', {
        incidentId: outcome.incidentId,
        reason: outcome.allResolved ? 'alerts_resolved' : 'alerts',
      });
    }
  }
  return outcomes;
}

async function ingestGroup(
  ctx: AppContext,
  trx: Knex.Transaction,
  groupKey: string,
  alerts: Alert[],
  origin: AlertOrigin,
  spansToExport: StoredSpan[],
): Promise<IngestOutcome | undefined> {
  const now = ctx.clock.now();
  // The open incident holding one of the alerts, else the group's open incident: one statement.
  let incident = await findOpenIncidentOf(trx, alerts, groupKey);
  let opened = false;
  let reopened: number | undefined;
  let correlated: Awaited<ReturnType<typeof joinCorrelatedIncident>>;
  /** Timeline events written in one multi-row insert below (the new incident's `incident.opened` comes first). */
  const events: TimelineEventInput[] = [];
  if (!incident) {
    const firing = alerts.find((a) => a.status === 'firing');
    if (!firing) {
      // A recovery for an incident that is gone (or never was): keep the alert rows, open nothing.
      await upsertAlerts(trx, alerts, null, now);
      return undefined;
    }
    const recent = await reopenRecentIncident(
      ctx,
      trx,
      groupKey,
      alerts.filter((a) => a.status === 'firing'),
      now,
    );
    // Storm correlation: a page of a service connected to an open incident's joins it (src/incidents/correlation.ts).
    correlated = recent ? undefined : await joinCorrelatedIncident(ctx, trx, groupKey, firing, now);
    const inserted =
      recent || correlated
        ? undefined
        : await insertIncident(ctx, trx, groupKey, firing, now, origin.page, origin.severity);
    if (recent) {
      incident = recent.incident;
      reopened = recent.reopened;
    } else if (correlated) {
      incident = correlated.incident;
      events.push(correlated.event);
      spansToExport.push(...correlated.spans);
    } else if (inserted) {
      incident = inserted.incident;
      events.push(inserted.opened);
      opened = true;
    } else {
      // Another replica opened it between our read and our insert: join theirs.
      incident = (await findOpenIncidentByGroupKey(trx, groupKey))!;
    }
  }
  // Serialises concurrent deliveries of one group, so the "all resolved" transition is seen exactly once. An incident
  // this transaction inserted is invisible to every other one until the commit: it has no other alert, nothing to lock.
  if (!opened) await lockIncidentState(trx, incident.id);
  const before = opened ? 0 : await firingCount(trx, incident.id);
  const known = opened ? undefined : await knownLeads(trx, incident.id);
  // A new incident's alerts go in with its timeline entries (one statement).
  const alertsWithEvents = opened ? upsertAlertsQuery(trx, alerts, incident.id, now) : undefined;
  if (!alertsWithEvents) await upsertAlerts(trx, alerts, incident.id, now);
  // `after` only matters to an incident that had alerts before (all resolved, fired again).
  const after = opened ? 0 : await firingCount(trx, incident.id);
  events.push(
    ...alerts.map((a) => ({
      incidentId: incident.id,
      type: a.status === 'firing' ? 'alert.received' : 'alert.resolved',
      actor: a.source,
      at: now,
      // One entry per alert state change: Alertmanager re-sends the whole group every group_interval.
      dedupeKey: `alert:${incident.id}:${a.source}:${a.fingerprint}:${a.startsAt.toISOString()}:${a.status}`,
      data: {
        deliveryId: origin.deliveryId,
        fingerprint: a.fingerprint,
        alertname: a.alertname,
        service: a.service,
        severity: a.severity,
        labels: a.labels,
        startsAt: a.startsAt.toISOString(),
      },
    })),
  );
  if (origin.truncated !== undefined) {
    // A new incident has no truncation on its timeline yet (0).
    const truncation = truncationEvent(opened ? 0 : await latestTruncation(trx, incident.id), incident.id, origin, now);
    if (truncation) events.push(truncation);
  }
  await appendEventsWith(trx, events.splice(0), alertsWithEvents);
  const allResolved = before > 0 && after === 0 && incident.status !== 'resolved';
  if (allResolved) {
    await appendEvents(trx, [
      { incidentId: incident.id, type: 'alerts.all_resolved', actor: 'copilot', at: now, data: {} },
    ]);
  }
  // An alert of the open incident firing again after every alert had resolved: the old diagnosis may no longer hold,
  // so it is investigated again; an incident nobody acknowledged (its paging stopped then) is paged again too.
  const firedAgain =
    !opened &&
    reopened === undefined &&
    before === 0 &&
    after > 0 &&
    incident.status !== 'resolved' &&
    (await firedSinceAllResolved(trx, incident.id));
  const firingAgain = firedAgain && incident.status === 'triggered';
  if (firedAgain) {
    const again = alerts.find((a) => a.status === 'firing')!;
    // Only `alerts.firing_again` starts a new run of the escalation chain (see escalationRunCount).
    const type = firingAgain ? 'alerts.firing_again' : 'alerts.fired_again';
    const n = (await countEvents(trx, incident.id, ['alerts.firing_again', 'alerts.fired_again'])) + 1;
    await appendEvents(trx, [
      {
        incidentId: incident.id,
        type,
        actor: 'copilot',
        at: now,
        dedupeKey: `fired-again:${incident.id}:${n}`,
        data: { alertname: again.alertname, fingerprint: again.fingerprint, status: incident.status },
      },
    ]);
    const trigger: InvestigationTrigger = {
      reason: 'fired_again',
      source: again.source,
      fingerprint: again.fingerprint,
    };
    await ctx.queue.enqueue(
      InvestigateIncident.name,
      { incidentId: incident.id, trigger },
      { jobId: investigateJobId(incident.id, `again-${n}`), trx },
    );
  }
  if (opened) {
    // The investigation and the escalation are committed with the incident: neither waits for chat. One insert for
    // the three jobs; the channel's job is the safety net for a crash: normally the presenter opens it after the commit.
    await ctx.queue.enqueueMany(
      [
        {
          name: InvestigateIncident.name,
          payload: { incidentId: incident.id },
          opts: { jobId: investigateJobId(incident.id) },
        },
        {
          name: StartEscalation.name,
          payload: { incidentId: incident.id },
          opts: { jobId: `start-escalation-${incident.id}` },
        },
        incidentChannelJob(incident.id),
      ],
      { trx },
    );
  } else {
    // A joined page is investigated with the group, debounced; not once per page.
    if (correlated)
      await investigateAfterJoin(
        ctx,
        trx,
        incident.id,
        alerts.find((a) => a.status === 'firing')!,
      );
    else if (known && reopened === undefined && incident.status !== 'resolved')
      await investigateNewLead(ctx, trx, incident, alerts, known, now);
    await scheduleBriefingUpdate(ctx, incident.id, trx);
  }
  return {
    incidentId: incident.id,
    incident,
    publicId: incident.publicId,
    opened,
    ...(reopened !== undefined ? { reopened } : {}),
    alerts: alerts.length,
    allResolved,
    firingAgain,
  };
}

/** Whether every alert of the incident had resolved, and none has fired again since. */
async function firedSinceAllResolved(trx: Knex.Transaction, incidentId: number): Promise<boolean> {
  return (
    (await countEvents(trx, incidentId, ['alerts.all_resolved'])) >
    (await countEvents(trx, incidentId, ['alerts.firing_again', 'alerts.fired_again']))
  );
}

/** Where an alert points: its service and alert name. */
const leadKey = (service: string | null | undefined, alertname: string | null | undefined) =>
  `${service ?? ''}\u0000${alertname ?? ''}`;

/**
 * A firing alert new to an open incident that points elsewhere (a service or an alert name none of its alerts had) is
 * a new lead: it is recorded (`alert.new_lead`) and the incident is investigated again from it, once per lead; the
 * investigation tells the channel what changed. More firings of what the incident already knows change nothing.
 */
async function investigateNewLead(
  ctx: AppContext,
  trx: Knex.Transaction,
  incident: Incident,
  alerts: Alert[],
  known: { service: string | null; alertname: string | null }[],
  now: Date,
): Promise<void> {
  if (known.length === 0) return;
  const seen = new Set(known.map((k) => leadKey(k.service, k.alertname)));
  const lead = alerts.find((a) => a.status === 'firing' && !seen.has(leadKey(a.service, a.alertname)));
  if (!lead) return;
  const key = `${lead.service ?? ''}:${lead.alertname}`;
  const written = await appendEvents(trx, [
    {
      incidentId: incident.id,
      type: 'alert.new_lead',
      actor: lead.source,
      at: now,
      dedupeKey: `lead:${incident.id}:${key}`,
      data: { fingerprint: lead.fingerprint, alertname: lead.alertname, service: lead.service ?? null },
    },
  ]);
  if (!written) return;
  const trigger: InvestigationTrigger = { reason: 'new_alert', source: lead.source, fingerprint: lead.fingerprint };
  await ctx.queue.enqueue(
    InvestigateIncident.name,
    { incidentId: incident.id, trigger },
    { jobId: investigateJobId(incident.id, `lead-${key}`), trx },
  );
}

/**
 * Keeps the timeline's `alerts.truncated` entry in step with the sender: a delivery that left alerts out records how
 * many, and the first complete delivery after that records 0 (`last` is the figure on the timeline). The briefing
 * shows the latest figure.
 */
function truncationEvent(
  last: number,
  incidentId: number,
  origin: AlertOrigin,
  now: Date,
): TimelineEventInput | undefined {
  const truncated = origin.truncated ?? 0;
  if (truncated === last) return undefined;
  return {
    incidentId,
    type: 'alerts.truncated',
    actor: 'alertmanager',
    at: now,
    dedupeKey: `alerts-truncated:${incidentId}:${origin.deliveryId}`,
    data: { truncated, deliveryId: origin.deliveryId },
  };
}

async function insertIncident(
  ctx: AppContext,
  trx: Knex.Transaction,
  groupKey: string,
  alert: Alert,
  now: Date,
  page?: PageSummary,
  severity?: Severity,
): Promise<{ incident: Incident; opened: TimelineEventInput } | undefined> {
  const routed = routeAlert(alert.labels, ctx.config.file);
  const route = severity ? { ...routed, severity } : routed;
  const policy = route.escalationPolicy
    ? ctx.config.file.escalationPolicies.find((p) => p.name === route.escalationPolicy)
    : undefined;
  // Frozen now when paging will need it (the routed policy, else the team's, else its rotation): starting the
  // escalation then reads no alert and writes no snapshot. A SEV3 never pages: only a routed policy is kept with it.
  const snapshot = policy
    ? snapshotOfPolicy(policy, route.team ?? null, now, { keepPagerDutyId: true })
    : route.severity === 'sev3'
      ? undefined
      : snapshotAtOpening(ctx.config.file, route.escalationPolicy, route.team ?? null, now);
  const prefix = ctx.config.file.incidents.idPrefix.toUpperCase();
  const incident = await insertPagedIncident(trx, {
    prefix,
    title: incidentTitle(alert),
    severity: route.severity,
    service: alert.service ?? null,
    team: route.team ?? null,
    source: alert.source,
    groupKey,
    externalId: alert.externalId ?? null,
    escalationSnapshot: snapshot ?? null,
    page: page ?? null,
    now,
  });
  if (!incident) return undefined;
  ctx.metrics.incidentsOpened.inc({ severity: route.severity });
  // Written by the caller with the alerts' events, in one insert.
  const opened: TimelineEventInput = {
    incidentId: incident.id,
    type: 'incident.opened',
    actor: 'copilot',
    at: now,
    dedupeKey: `opened:${incident.id}`,
    data: {
      severity: route.severity,
      team: route.team,
      rule: route.rule,
      escalationPolicy: route.escalationPolicy,
      title: incident.title,
    },
  };
  return { incident, opened };
}
