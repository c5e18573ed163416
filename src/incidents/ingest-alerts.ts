// Use case: alerts arrive (from a processed delivery) and join the open incident of their group, reopen its recently
// resolved one when the same alert fires again, or open a new one; each new lead is investigated.
import type { Knex } from 'knex';
import type { Severity } from '../config.js';
import type { AppContext } from '../context.js';
import type { Alert } from '../intake/alert.js';
import type { PageSummary } from '../investigation/ports.js';
import { findOpenIncidentByGroupKey, lockIncidentState, type Incident } from './repository.js';
import { appendEvents, countEvents, type TimelineEventInput } from './timeline-repository.js';
import {
  findIncidentOfAlerts,
  insertPagedIncident,
  type AlertsIncident,
  type AlertsLookup,
  type OpeningTail,
} from './opening-repository.js';
import { alertStateOf, appendEventsWith, firingCount, upsertAlerts, upsertAlertsQuery } from './alerts-repository.js';
import type { InvestigationTrigger } from './investigate-incident.js';
import { InvestigateIncident, investigateJobId } from './jobs/investigate-incident.js';
import { scheduleBriefingUpdate } from './presentations.js';
import { reopenRecentIncident } from './reopen-recent-incident.js';
import { firedSinceAllResolved, investigateNewLead, truncationEvent } from './ingest-follow-ups.js';
import { investigateAfterJoin, joinCorrelatedIncident, serviceGraph } from './correlation-join.js';
import { inGraph } from './correlation.js';
import { alertEvents, newIncidentJobs, openIncidentAtOnce, planOpening } from './opening.js';
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
  /** True when the origin's `finish` went with the statement that opened the incident (the delivery is done). */
  finished?: boolean;
}

/** The delivery's completion (process-delivery's), to go with the statement that opens its group's incident. */
export type FinishTail = OpeningTail & {
  /** Called with the statement's `tail_` once it ran and opened the incident. */
  done(result: unknown): void;
};

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
  /**
   * For a delivery of one alert group: its completion, made part of the statement that opens the group's incident
   * in one statement (then `finished` is set on the outcome; otherwise the caller completes the delivery itself).
   */
  finish?: () => FinishTail;
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
    const now = ctx.clock.now();
    // A new incident with no storm to join is opened in one statement; anything else is decided in a transaction.
    const first = await openAtOnce(ctx, groupKey, group, origin, now, byGroup.size === 1);
    let outcome = first.outcome;
    if (!outcome) {
      // Spans the group's transaction stored, exported once it has committed (never a decision the database lost).
      const committedSpans: StoredSpan[] = [];
      outcome = await ctx.knex.transaction((trx) =>
        ingestGroup(ctx, trx, groupKey, group, origin, committedSpans, now, first),
      );
      if (committedSpans.length) ctx.services.traces?.export(committedSpans);
    }
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

/** The lookup of the incident a group's alerts belong to (`findIncidentOfAlerts`). */
function lookupOf(ctx: AppContext, groupKey: string, alerts: Alert[], now: Date): AlertsLookup {
  return {
    groupKey,
    source: alerts[0]!.source,
    fingerprints: alerts.map((a) => a.fingerprint),
    firing: alerts.filter((a) => a.status === 'firing').map((a) => a.fingerprint),
    since: new Date(now.getTime() - ctx.config.file.incidents.regroupWindow),
  };
}

type Graph = Map<string, string[]>;

/** What the one-statement opening tried: the outcome when it opened, else what its lookup found (`looked`). */
interface FirstTry {
  outcome?: IngestOutcome;
  looked: boolean;
  found?: AlertsIncident;
  /** The service graph, when it was read (a storm's correlation reads it again otherwise). */
  graph?: Graph;
}

/**
 * A group with a firing alert whose service no open incident could take by storm correlation (not in the service
 * graph, or correlation off) is opened in one statement when it has no incident to join or reopen (openIncidentAtOnce),
 * with the delivery's completion when it is the delivery's only group. Two deliveries racing for the group: the
 * partial unique index lets one open it, and the other finds nothing written and goes the transaction's way.
 */
async function openAtOnce(
  ctx: AppContext,
  groupKey: string,
  alerts: Alert[],
  origin: AlertOrigin,
  now: Date,
  onlyGroup: boolean,
): Promise<FirstTry> {
  const firing = alerts.find((a) => a.status === 'firing');
  if (!firing) return { looked: false };
  let graph: Graph | undefined;
  if (ctx.config.file.incidents.correlateWindow > 0 && firing.service) {
    graph = await serviceGraph(ctx);
    // A page that may join a storm is decided under the correlation lock, in the transaction.
    if (inGraph(graph, firing.service)) return { looked: false, graph };
  }
  const tail = onlyGroup ? origin.finish?.() : undefined;
  const r = await openIncidentAtOnce(ctx, lookupOf(ctx, groupKey, alerts, now), alerts, origin, now, tail);
  if (!r?.opened) return { looked: r?.found !== undefined, found: r?.found, graph };
  tail?.done(r.tail);
  const incident = r.opened;
  return {
    looked: true,
    graph,
    outcome: {
      incidentId: incident.id,
      incident,
      publicId: incident.publicId,
      opened: true,
      alerts: alerts.length,
      allResolved: false,
      firingAgain: false,
      ...(tail ? { finished: true } : {}),
    },
  };
}

async function ingestGroup(
  ctx: AppContext,
  trx: Knex.Transaction,
  groupKey: string,
  alerts: Alert[],
  origin: AlertOrigin,
  spansToExport: StoredSpan[],
  now: Date,
  first: FirstTry,
): Promise<IngestOutcome | undefined> {
  // The open incident holding one of the alerts, else the group's open incident, else the group's recently resolved
  // incident to reopen: one statement (or what the one-statement opening's lookup found).
  const found = first.looked ? first.found : await findIncidentOfAlerts(trx, lookupOf(ctx, groupKey, alerts, now));
  let incident = found?.open;
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
    const recent = found?.reopen
      ? await reopenRecentIncident(
          ctx,
          trx,
          groupKey,
          alerts.filter((a) => a.status === 'firing'),
          now,
          found.reopen,
        )
      : undefined;
    // Storm correlation: a page of a service connected to an open incident's joins it (src/incidents/correlation.ts).
    correlated = recent ? undefined : await joinCorrelatedIncident(ctx, trx, groupKey, firing, now, first.graph);
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
  if (!opened) {
    // Its state as the lock found it (the incident may have been read before this transaction began).
    const locked = await lockIncidentState(trx, incident.id);
    if (locked) incident = { ...incident, status: locked.status, severity: locked.severity };
  }
  // Firing alerts, where they point and the latest truncation figure, in one statement after the lock.
  const state = opened ? undefined : await alertStateOf(trx, incident.id);
  const before = state?.firing ?? 0;
  const known = state?.leads;
  // A new incident's alerts go in with its timeline entries (one statement).
  const alertsWithEvents = opened ? upsertAlertsQuery(trx, alerts, incident.id, now) : undefined;
  if (!alertsWithEvents) await upsertAlerts(trx, alerts, incident.id, now);
  // `after` only matters to an incident that had alerts before (all resolved, fired again).
  const after = opened ? 0 : await firingCount(trx, incident.id);
  events.push(...alertEvents(alerts, incident.id, origin, now));
  if (origin.truncated !== undefined) {
    // A new incident has no truncation on its timeline yet (0).
    const truncation = truncationEvent(state?.truncated ?? 0, incident.id, origin, now);
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
  // The investigation and the escalation are committed with the incident: neither waits for chat. One insert.
  if (opened) await ctx.queue.enqueueMany(newIncidentJobs(incident.id), { trx });
  else {
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

async function insertIncident(
  ctx: AppContext,
  trx: Knex.Transaction,
  groupKey: string,
  alert: Alert,
  now: Date,
  page?: PageSummary,
  severity?: Severity,
): Promise<{ incident: Incident; opened: TimelineEventInput } | undefined> {
  const { fields, openedData } = planOpening(ctx, groupKey, alert, now, page, severity);
  const incident = await insertPagedIncident(trx, fields);
  if (!incident) return undefined;
  ctx.metrics.incidentsOpened.inc({ severity: fields.severity });
  // Written by the caller with the alerts' events, in one insert.
  const opened: TimelineEventInput = {
    incidentId: incident.id,
    type: 'incident.opened',
    actor: 'copilot',
    at: now,
    dedupeKey: `opened:${incident.id}`,
    data: openedData,
  };
  return { incident, opened };
}
