// Turns what paged (an Alertmanager v4 webhook, a PagerDuty v3 event) into the investigator's PageSummary.
import { z } from 'zod';
import { ValidationError, formatZodIssues } from '../errors.js';
import type { PageSummary } from './ports.js';

const stringMap = z.record(z.string(), z.unknown()).transform((r) =>
  Object.fromEntries(Object.entries(r).filter((e): e is [string, string] => typeof e[1] === 'string')),
);

const alertmanagerSchema = z.looseObject({
  version: z.string(),
  commonLabels: stringMap.optional(),
  commonAnnotations: stringMap.optional(),
  alerts: z
    .array(
      z.looseObject({
        status: z.string().optional(),
        labels: stringMap.default({}),
        annotations: stringMap.default({}),
        startsAt: z.string().optional(),
      }),
    )
    .min(1),
});

const pagerDutySchema = z.looseObject({
  event: z.looseObject({
    event_type: z.string(),
    occurred_at: z.string().optional(),
    data: z
      .looseObject({
        title: z.string().optional(),
        summary: z.string().optional(),
        created_at: z.string().optional(),
        urgency: z.string().optional(),
        service: z.looseObject({ summary: z.string().optional(), name: z.string().optional() }).optional(),
        priority: z.looseObject({ summary: z.string().optional() }).nullish(),
        body: z.looseObject({ details: z.unknown().optional() }).optional(),
      })
      .optional(),
  }),
});

function parseOrThrow<T>(schema: z.ZodType<T>, payload: unknown, what: string): T {
  const r = schema.safeParse(payload);
  if (!r.success) throw new ValidationError(`not ${what}`, formatZodIssues(r.error.issues));
  return r.data;
}

/** The first firing alert of an Alertmanager webhook (version 4), labels merged over the common labels. */
export function pageSummaryFromAlertmanager(payload: unknown): PageSummary {
  const p = parseOrThrow(alertmanagerSchema, payload, 'an Alertmanager webhook body');
  const alert = p.alerts.find((a) => a.status !== 'resolved') ?? p.alerts[0]!;
  const labels = { ...(p.commonLabels ?? {}), ...alert.labels };
  const annotations = { ...(p.commonAnnotations ?? {}), ...alert.annotations };
  return {
    source: 'alertmanager',
    alertname: labels.alertname,
    service: labels.service ?? labels.app ?? labels.job,
    severity: labels.severity,
    summary: annotations.summary,
    annotations,
    labels,
    startsAt: alert.startsAt ?? new Date(0).toISOString(),
  };
}

const ALERT_IN_TITLE = /^\s*(?:\[[^\]]*\]\s*)?([A-Z][A-Za-z0-9]+)\b/;

/** A PagerDuty v3 webhook event (incident.triggered and friends). */
export function pageSummaryFromPagerDuty(payload: unknown): PageSummary {
  const p = parseOrThrow(pagerDutySchema, payload, 'a PagerDuty v3 webhook event');
  const data = p.event.data ?? {};
  const title = data.title ?? data.summary ?? '';
  const details = data.body?.details;
  const detailLabels: Record<string, string> =
    details && typeof details === 'object'
      ? Object.fromEntries(Object.entries(details).filter((e): e is [string, string] => typeof e[1] === 'string'))
      : {};
  const service = detailLabels.service ?? data.service?.summary ?? data.service?.name;
  const alertname = detailLabels.alertname ?? ALERT_IN_TITLE.exec(title)?.[1];
  return {
    source: 'pagerduty',
    alertname,
    service,
    severity: data.priority?.summary ?? data.urgency,
    summary: title,
    annotations: { summary: title },
    labels: { ...detailLabels, ...(service ? { service } : {}), ...(alertname ? { alertname } : {}) },
    startsAt: data.created_at ?? p.event.occurred_at ?? new Date(0).toISOString(),
  };
}
