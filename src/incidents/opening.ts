// Opening an incident from a group's alerts: what it is opened with (routing, the frozen paging policy, its timeline
// entries and jobs), and the path that opens it in ONE statement when the group has no incident and no storm to join.
import type { Severity } from '../config.js';
import type { AppContext } from '../context.js';
import type { Alert } from '../intake/alert.js';
import type { PageSummary } from '../investigation/ports.js';
import type { JobToEnqueue } from '../jobs/job-queue.js';
import { routeAlert } from '../oncall/routing.js';
import { snapshotAtOpening, snapshotOfPolicy } from '../oncall/escalation-policy.js';
import { StartEscalation } from '../oncall/jobs/start-escalation.js';
import { ALERTS_PER_STATEMENT, alertRecords } from './alerts-repository.js';
import { InvestigateIncident } from './jobs/investigate-incident.js';
import { incidentTitle } from './naming.js';
import {
  openIncidentUnlessFound,
  type AlertsIncident,
  type AlertsLookup,
  type OpeningEvent,
  type OpeningTail,
  type PagedIncidentFields,
} from './opening-repository.js';
import { OPEN_INCIDENT_SAFETY_DELAY_MS, OpenIncidentChannel } from './presentations.js';
import type { Incident } from './repository.js';
import type { TimelineEventInput } from './timeline-repository.js';

/** Where alerts came from, as far as their timeline entries say (see AlertOrigin in ingest-alerts.ts). */
interface Origin {
  deliveryId?: number;
  truncated?: number;
}

/**
 * The jobs a new incident is committed with, whichever path opens it: its investigation, its escalation (neither
 * waits for chat) and the channel's safety net for a crash (normally the presenter opens it after the commit). Each
 * id is the prefix followed by the incident's id (`investigateJobId(id)`, `incidentChannelJob(id)`); the payload is
 * `{ incidentId }`.
 */
export const NEW_INCIDENT_JOBS: ReadonlyArray<{ name: string; idPrefix: string; delayMs?: number }> = [
  { name: InvestigateIncident.name, idPrefix: 'investigate-incident-' },
  { name: StartEscalation.name, idPrefix: 'start-escalation-' },
  { name: OpenIncidentChannel.name, idPrefix: 'open-incident-', delayMs: OPEN_INCIDENT_SAFETY_DELAY_MS },
];

/** NEW_INCIDENT_JOBS of one incident, to enqueue in one statement. */
export function newIncidentJobs(incidentId: number): JobToEnqueue[] {
  return NEW_INCIDENT_JOBS.map((j) => ({
    name: j.name,
    payload: { incidentId },
    opts: { jobId: `${j.idPrefix}${incidentId}`, ...(j.delayMs !== undefined ? { delayMs: j.delayMs } : {}) },
  }));
}

/** What a new incident is opened with: its row, its severity and its `incident.opened` entry's data. */
export function planOpening(
  ctx: AppContext,
  groupKey: string,
  alert: Alert,
  now: Date,
  page?: PageSummary,
  severity?: Severity,
): { fields: PagedIncidentFields; openedData: Record<string, unknown> } {
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
  const title = incidentTitle(alert);
  return {
    fields: {
      prefix: ctx.config.file.incidents.idPrefix.toUpperCase(),
      title,
      severity: route.severity,
      service: alert.service ?? null,
      team: route.team ?? null,
      source: alert.source,
      groupKey,
      externalId: alert.externalId ?? null,
      escalationSnapshot: snapshot ?? null,
      page: page ?? null,
      now,
    },
    openedData: {
      severity: route.severity,
      team: route.team,
      rule: route.rule,
      escalationPolicy: route.escalationPolicy,
      title,
    },
  };
}

/** An alert's timeline entry but its incident: its key is `alert:<incident id>` followed by `keySuffix`. */
export function alertEventParts(
  a: Alert,
  origin: Origin,
): { type: string; actor: string; keySuffix: string; data: Record<string, unknown> } {
  return {
    type: a.status === 'firing' ? 'alert.received' : 'alert.resolved',
    actor: a.source,
    // One entry per alert state change: Alertmanager re-sends the whole group every group_interval.
    keySuffix: `:${a.source}:${a.fingerprint}:${a.startsAt.toISOString()}:${a.status}`,
    data: {
      deliveryId: origin.deliveryId,
      fingerprint: a.fingerprint,
      alertname: a.alertname,
      service: a.service,
      severity: a.severity,
      labels: a.labels,
      startsAt: a.startsAt.toISOString(),
    },
  };
}

/** The alerts' timeline entries in an incident. */
export function alertEvents(alerts: Alert[], incidentId: number, origin: Origin, now: Date): TimelineEventInput[] {
  return alerts.map((a) => {
    const { keySuffix, ...e } = alertEventParts(a, origin);
    return { incidentId, ...e, at: now, dedupeKey: `alert:${incidentId}${keySuffix}` };
  });
}

/**
 * Opens the group's incident in ONE statement (no transaction): the lookup, the incident, its alerts, its timeline
 * entries (`incident.opened`, each alert's, a truncation) and NEW_INCIDENT_JOBS, and the `tail` (the delivery's
 * completion), all or nothing. For a group with a firing alert and no storm to join (the caller tells); undefined
 * when the batch is too large for one statement. `found`: the incident the lookup found (the caller joins or reopens
 * it); neither: another writer opened the group's incident meanwhile (the caller looks again).
 */
export async function openIncidentAtOnce(
  ctx: AppContext,
  q: AlertsLookup,
  alerts: Alert[],
  origin: Origin & { page?: PageSummary; severity?: Severity },
  now: Date,
  tail?: OpeningTail,
): Promise<{ opened?: Incident; found?: AlertsIncident; tail?: unknown } | undefined> {
  const firing = alerts.find((a) => a.status === 'firing');
  const rows = alertRecords(alerts, now);
  if (!firing || rows.length > ALERTS_PER_STATEMENT || alerts.length > 900) return undefined;
  const { fields, openedData } = planOpening(ctx, q.groupKey, firing, now, origin.page, origin.severity);
  const events: OpeningEvent[] = [
    { type: 'incident.opened', actor: 'copilot', at: now, data: openedData, keyPrefix: 'opened:', keySuffix: '' },
    ...alerts.map((a) => {
      const { keySuffix, ...e } = alertEventParts(a, origin);
      return { ...e, at: now, keyPrefix: 'alert:', keySuffix };
    }),
  ];
  // A new incident has no truncation on its timeline yet: a delivery that left alerts out records how many.
  if (origin.truncated)
    events.push({
      type: 'alerts.truncated',
      actor: 'alertmanager',
      at: now,
      data: { truncated: origin.truncated, deliveryId: origin.deliveryId },
      keyPrefix: 'alerts-truncated:',
      keySuffix: `:${origin.deliveryId}`,
    });
  const jobs = NEW_INCIDENT_JOBS.map((j) => ({
    ...ctx.queue.plan(j.name, null, j.delayMs !== undefined ? { delayMs: j.delayMs } : {}),
    idPrefix: j.idPrefix,
  }));
  const result = await openIncidentUnlessFound(
    ctx.knex,
    q,
    fields,
    { alerts: rows, events, jobs, jobsAt: new Date() },
    tail,
  );
  if (result.opened) {
    const id = result.opened.id;
    ctx.metrics.incidentsOpened.inc({ severity: fields.severity });
    ctx.queue.announce(jobs.map((j) => ({ id: `${j.idPrefix}${id}`, name: j.name, runAt: j.runAt })));
  }
  return result;
}
