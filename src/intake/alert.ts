// The one Alert model for every source, and the parsers that turn Alertmanager and PagerDuty payloads into it.
import { hash } from 'node:crypto';
import { z } from 'zod';

/** An alert, whichever system sent it. Labels and annotations are untrusted text: data, never instructions. */
export interface Alert {
  /** `slo`: the copilot's own SLO evaluation (src/slo/evaluate-slos.ts). */
  source: 'alertmanager' | 'pagerduty' | 'slo';
  fingerprint: string;
  status: 'firing' | 'resolved';
  alertname: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: Date;
  endsAt: Date | null;
  service: string | undefined;
  severity: string | undefined;
  /**
   * What joins this alert to an open incident: the Alertmanager group or the PagerDuty incident; for an SLO's burn
   * (the copilot's evaluation, or a Sloth-labelled burn alert from Alertmanager) `slo:<sloth_id>`, so both join one.
   */
  groupKey: string;
  /** The PagerDuty incident id, when the alert came from PagerDuty. */
  externalId: string | undefined;
  generatorUrl: string | undefined;
}

const stringMap = z.record(z.string(), z.string());
const time = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an RFC 3339 time' });

/** Alertmanager webhook payload, version 4. */
export const alertmanagerPayloadSchema = z.looseObject({
  version: z.literal('4', { message: 'expected version "4"' }),
  groupKey: z.string().min(1),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupLabels: stringMap.default({}),
  commonLabels: stringMap.default({}),
  commonAnnotations: stringMap.default({}),
  externalURL: z.string().default(''),
  truncatedAlerts: z.number().int().nonnegative().default(0),
  alerts: z
    .array(
      z.looseObject({
        status: z.enum(['firing', 'resolved']),
        labels: stringMap,
        annotations: stringMap.default({}),
        startsAt: time,
        endsAt: z.string().default('0001-01-01T00:00:00Z'),
        generatorURL: z.string().default(''),
        fingerprint: z.string().min(1),
      }),
    )
    .min(1, 'expected at least one alert'),
});
export type AlertmanagerPayload = z.infer<typeof alertmanagerPayloadSchema>;

const reference = z.looseObject({ id: z.string(), summary: z.string().optional(), html_url: z.string().optional() });

/**
 * PagerDuty v3 webhook payload: exactly one event per delivery. Every documented event type is accepted
 * (incident.*, service.*, and pagey.ping, the test event); `data` is an incident for lifecycle events, an object
 * naming its incident under `data.incident` for notes, status updates and responders (incident_note,
 * incident_status_update, incident_responder), a service for service.*, and a greeting for pagey.ping.
 */
export const pagerDutyPayloadSchema = z.looseObject({
  event: z
    .looseObject({
      id: z.string().min(1),
      event_type: z.string().min(1),
      resource_type: z.string(),
      occurred_at: time,
      agent: reference.nullable().optional(),
      data: z.looseObject({
        id: z.string().min(1).optional(),
        type: z.string().optional(),
        html_url: z.string().optional(),
        number: z.number().optional(),
        status: z.string().optional(),
        incident_key: z.string().nullable().optional(),
        created_at: time.optional(),
        title: z.string().optional(),
        service: reference.optional(),
        urgency: z.string().optional(),
        priority: reference.nullable().optional(),
        teams: z.array(reference).optional(),
        /** The incident a note, status update or responder request belongs to. */
        incident: reference.optional(),
        /** incident_note */
        content: z.string().optional(),
        /** incident_status_update, incident_responder */
        message: z.string().nullable().optional(),
        /** incident_responder */
        user: reference.optional(),
        state: z.string().optional(),
      }),
    })
    .refine((e) => !e.event_type.startsWith('incident.') || pagerDutyIncidentId(e) !== undefined, {
      message: 'an incident event must name its incident (data.id of an incident, or data.incident.id)',
      path: ['data'],
    }),
});
export type PagerDutyPayload = z.infer<typeof pagerDutyPayloadSchema>;

/** A deploy or change event sent by CI/CD or a flag system to /webhooks/events. */
export const changeEventPayloadSchema = z.discriminatedUnion('type', [
  z.looseObject({
    id: z.string().min(1),
    type: z.literal('deploy'),
    service: z.string().min(1),
    ts: time,
    sha: z.string().optional(),
    author: z.string().optional(),
    title: z.string().default(''),
    files: z.array(z.string()).default([]),
  }),
  z.looseObject({
    id: z.string().min(1),
    type: z.literal('change'),
    kind: z.enum(['feature_flag', 'config', 'infra', 'schema']),
    service: z.string().min(1),
    ts: time,
    author: z.string().optional(),
    summary: z.string().default(''),
  }),
]);
export type ChangeEventPayload = z.infer<typeof changeEventPayloadSchema>;

/** The group of an SLO's burn, whether the copilot's evaluation or Alertmanager saw it first. */
export function sloGroupKey(sloId: string): string {
  return `slo:${sloId}`;
}

/** Alertmanager's zero time ("0001-01-01T00:00:00Z") means "not ended". */
function parseEndsAt(text: string): Date | null {
  const t = Date.parse(text);
  if (Number.isNaN(t) || t <= 0) return null;
  return new Date(t);
}

/** Turns an Alertmanager delivery into alerts, one per alert in the group. */
export function alertsFromAlertmanager(payload: AlertmanagerPayload): Alert[] {
  return payload.alerts.map((a) => {
    const labels = { ...a.labels };
    const annotations = { ...payload.commonAnnotations, ...a.annotations };
    return {
      source: 'alertmanager',
      fingerprint: a.fingerprint,
      status: a.status,
      alertname: labels.alertname ?? 'alert',
      labels,
      annotations,
      startsAt: new Date(a.startsAt),
      endsAt: a.status === 'resolved' ? (parseEndsAt(a.endsAt) ?? new Date(a.startsAt)) : null,
      service: labels.service ?? labels.job,
      severity: labels.severity,
      // A burn alert of Sloth's rules (ours follow them) joins the SLO's incident, whoever saw the burn first.
      groupKey: labels.sloth_id ? sloGroupKey(labels.sloth_id) : `alertmanager:${payload.groupKey}`,
      externalId: undefined,
      generatorUrl: a.generatorURL || undefined,
    };
  });
}

/** The service name a PagerDuty service summary maps to ("Checkout API" → "checkout"), matched against known names. */
export function serviceFromPagerDuty(summary: string | undefined, known: string[]): string | undefined {
  if (!summary) return undefined;
  const lower = summary.toLowerCase();
  const exact = known.find((n) => n === lower);
  if (exact) return exact;
  const words = lower.split(/[^a-z0-9_-]+/).filter(Boolean);
  return known.find((n) => words.includes(n)) ?? words[0];
}

/** The PagerDuty incident an event is about: data itself for an incident, data.incident for a note, update or responder. */
export function pagerDutyIncidentId(event: {
  data: { id?: string; type?: string; incident?: { id: string } };
}): string | undefined {
  return (
    event.data.incident?.id ??
    (event.data.type === undefined || event.data.type === 'incident' ? event.data.id : undefined)
  );
}

/** Turns a PagerDuty incident.triggered (or reopened) event into one alert keyed by the PagerDuty incident. */
export function alertFromPagerDuty(payload: PagerDutyPayload, knownServices: string[] = []): Alert {
  const { event } = payload;
  const incidentId = pagerDutyIncidentId(event);
  if (!incidentId) throw new Error(`PagerDuty ${event.event_type} names no incident`);
  const d = { ...event.data, id: incidentId };
  const title = d.title ?? `PagerDuty incident ${d.number ?? d.id}`;
  const service = serviceFromPagerDuty(d.service?.summary, knownServices);
  const priority = d.priority?.summary;
  const severity = priority === 'P1' || d.urgency === 'high' ? 'critical' : 'warning';
  const alertname = /\]\s*(\S+)/.exec(title)?.[1] ?? title.split(/\s+/)[0] ?? 'page';
  const labels: Record<string, string> = { alertname, severity, pagerduty_incident: d.id };
  if (service) labels.service = service;
  if (priority) labels.priority = priority;
  if (d.urgency) labels.urgency = d.urgency;
  const annotations: Record<string, string> = { summary: title };
  if (d.html_url) annotations.pagerduty_url = d.html_url;
  return {
    source: 'pagerduty',
    fingerprint: d.incident_key ?? d.id,
    status: 'firing',
    alertname,
    labels,
    annotations,
    startsAt: new Date(d.created_at ?? event.occurred_at),
    endsAt: null,
    service,
    severity,
    groupKey: `pagerduty:${d.id}`,
    externalId: d.id,
    generatorUrl: d.html_url,
  };
}

/** Alertmanager sends no delivery id: a hash of the exact body stands in for it. */
export function hashBody(raw: Buffer | string): string {
  return hash('sha256', raw, 'hex');
}
