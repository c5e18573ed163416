// The one page model (PageSummary): what paged, built once at intake from the delivery the intake parsed (Alertmanager
// v4, PagerDuty v3) or from a declaration, stored with the incident (incidents.page) and read by the investigation.
// A scenario file carries its page as a raw webhook body: eval/scenario-format.ts reads it with the same builders.
import { z } from 'zod';
import { ValidationError, formatZodIssues } from '../errors.js';
import type { PageSummary } from './ports.js';

/** What the builders read of an Alertmanager v4 body (the intake's parsed payload fits). */
interface AlertmanagerPage {
  commonLabels?: Record<string, string>;
  commonAnnotations?: Record<string, string>;
  alerts: { status?: string; labels: Record<string, string>; annotations: Record<string, string>; startsAt?: string }[];
}

/** What the builders read of a PagerDuty v3 event (the intake's parsed payload fits). */
interface PagerDutyPage {
  event: {
    occurred_at?: string;
    data?: {
      title?: string;
      created_at?: string;
      urgency?: string;
      service?: { summary?: string };
      priority?: { summary?: string } | null;
      [key: string]: unknown;
    };
  };
}

const stringMap = z
  .record(z.string(), z.unknown())
  .transform((r) =>
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
  return pageFromAlertmanager(parseOrThrow(alertmanagerSchema, payload, 'an Alertmanager webhook body'));
}

/** The page of a parsed Alertmanager body: its first firing alert, labels merged over the common labels. */
export function pageFromAlertmanager(p: AlertmanagerPage): PageSummary {
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
  return pageFromPagerDuty(parseOrThrow(pagerDutySchema, payload, 'a PagerDuty v3 webhook event'));
}

/** The page of a parsed PagerDuty v3 event: its title, service and priority, and labels from the alert's details. */
export function pageFromPagerDuty(p: PagerDutyPage): PageSummary {
  const data = p.event.data ?? {};
  const extra = data as { summary?: unknown; service?: { name?: unknown }; body?: { details?: unknown } };
  const title = data.title ?? (typeof extra.summary === 'string' ? extra.summary : '');
  const details = extra.body?.details;
  const detailLabels: Record<string, string> =
    details && typeof details === 'object'
      ? Object.fromEntries(Object.entries(details).filter((e): e is [string, string] => typeof e[1] === 'string'))
      : {};
  const service =
    detailLabels.service ??
    data.service?.summary ??
    (typeof extra.service?.name === 'string' ? extra.service.name : undefined);
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

/** A stored alert row (table `alerts`) as a page: what a reopen or a new lead is investigated from. */
export function pageFromAlertRow(alert: Record<string, unknown>): PageSummary {
  const labels = alert.labels as Record<string, string>;
  const annotations = alert.annotations as Record<string, string>;
  return {
    source: alert.source === 'pagerduty' ? 'pagerduty' : 'alertmanager',
    alertname: (alert.alertname as string | null) ?? undefined,
    service: (alert.service as string | null) ?? undefined,
    severity: (alert.severity as string | null) ?? undefined,
    summary: annotations.summary,
    annotations,
    labels,
    startsAt: (alert.starts_at as Date).toISOString(),
  };
}

/** A declared incident as a page: its service, and the summary typed in the form (else its title). */
export function pageFromDeclaration(
  incident: { title: string; service: string | null; severity: string; openedAt: Date },
  summary: string | null,
): PageSummary {
  const text = summary ?? incident.title;
  return {
    source: 'manual',
    ...(incident.service ? { service: incident.service } : {}),
    severity: incident.severity,
    summary: text,
    annotations: { summary: text, title: incident.title },
    labels: incident.service ? { service: incident.service } : {},
    startsAt: incident.openedAt.toISOString(),
  };
}
