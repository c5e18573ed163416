// The copilot's SLO burn as data and alerts: the SLI's bad share over a window from the metrics source, and the burn
// alerts (labelled as the generated Sloth rules label theirs) that the evaluation raises through the alert ingest path.
import type { AppContext } from '../context.js';
import type { Alert } from '../intake/alert.js';
import { sloGroupKey } from '../intake/alert.js';
import type { Series } from '../investigation/evidence-model.js';
import type { MetricsSource } from '../investigation/ports.js';
import { findIncident } from '../incidents/repository.js';
import { changeSeverity } from '../oncall/escalation.js';
import { errorRatioQuery, type SloSpec } from './model.js';
import { promDuration } from './prometheus-rules.js';

/** The bad share of the SLI over `windowMs` ending at `at`: the worst series, null without data. */
export async function errorRatioOver(
  metrics: MetricsSource,
  slo: SloSpec,
  windowMs: number,
  at: number,
): Promise<number | null> {
  const series = await metrics.queryRange(errorRatioQuery(slo, promDuration(windowMs)), {
    start: at,
    end: at,
    stepMs: 60_000,
  });
  return worstValue(series);
}

/** The largest finite value of the series' last points (a bad share per series: the worst scope counts). */
function worstValue(series: Series[]): number | null {
  let worst: number | null = null;
  for (const s of series) {
    const last = s.values.at(-1);
    const v = last ? Number(last[1]) : NaN;
    if (Number.isFinite(v) && (worst === null || v > worst)) worst = v;
  }
  return worst;
}

/** The labels of an SLO's burn alert, as the generated rules put them (Sloth's), plus its alerting's routing labels. */
export function burnLabels(slo: SloSpec, severity: 'page' | 'ticket'): Record<string, string> {
  const alert = severity === 'page' ? slo.alerting.page : slo.alerting.ticket;
  return {
    ...slo.labels,
    ...slo.alerting.labels,
    ...alert.labels,
    alertname: slo.alerting.name,
    service: slo.service,
    sloth_id: slo.id,
    sloth_service: slo.service,
    sloth_slo: slo.name,
    sloth_severity: severity,
  };
}

/** The fingerprint of the copilot's own burn alert of an SLO at one severity (or for one deploy). */
export const burnFingerprint = (sloId: string, what: string) => `slo:${sloId}:${what}`;

/** The copilot's burn alert for an SLO, firing or resolved; `startsAt` is when the burn was first seen. */
export function burnAlert(
  slo: SloSpec,
  severity: 'page' | 'ticket',
  status: 'firing' | 'resolved',
  startsAt: Date,
  now: Date,
  extra: { fingerprint?: string; annotations?: Record<string, string> } = {},
): Alert {
  const alert = severity === 'page' ? slo.alerting.page : slo.alerting.ticket;
  const labels = burnLabels(slo, severity);
  return {
    source: 'slo',
    fingerprint: extra.fingerprint ?? burnFingerprint(slo.id, severity),
    status,
    alertname: slo.alerting.name,
    labels,
    annotations: {
      summary: `${slo.service}: ${slo.name} SLO error budget burning (${severity} level)`,
      ...slo.alerting.annotations,
      ...alert.annotations,
      ...extra.annotations,
    },
    startsAt,
    endsAt: status === 'resolved' ? now : null,
    service: slo.service,
    severity: alert.severity,
    groupKey: sloGroupKey(slo.id),
    externalId: undefined,
    generatorUrl: undefined,
  };
}

/** The copilot's firing burn alert of this fingerprint, if one is recorded (its start, its incident). */
export async function firingBurnAlert(
  ctx: AppContext,
  fingerprint: string,
): Promise<{ startsAt: Date; incidentId: number | null } | undefined> {
  const row = (await ctx
    .knex('alerts')
    .where({ source: 'slo', fingerprint, status: 'firing' })
    .orderBy('starts_at', 'desc')
    .first('starts_at', 'incident_id')) as { starts_at: Date; incident_id: number | null } | undefined;
  return row ? { startsAt: new Date(row.starts_at), incidentId: row.incident_id } : undefined;
}

/**
 * The severity an SLO's alerting definition gives a burn alert from Alertmanager (Sloth's `sloth_id` and
 * `sloth_severity` labels, as our generated rules carry them): the first firing one naming a configured SLO, else
 * undefined (the routing rules decide).
 */
export function sloSeverityOf(slos: SloSpec[], alerts: Alert[]): SloSpec['alerting']['page']['severity'] | undefined {
  for (const a of alerts) {
    if (a.status !== 'firing' || !a.labels.sloth_id) continue;
    const slo = slos.find((s) => s.id === a.labels.sloth_id);
    const kind = a.labels.sloth_severity;
    if (slo && (kind === 'page' || kind === 'ticket')) return slo.alerting[kind].severity;
  }
  return undefined;
}

/**
 * Raises an open incident's severity to an SLO burn's (sev1 is the highest), never lowers it: a ticket-level burn
 * that worsens to page level, or a fast burn after a deploy, joins the ticket's incident and makes it a page.
 */
export async function raiseSeverity(
  ctx: AppContext,
  incidentId: number,
  to: SloSpec['alerting']['page']['severity'],
  reason: string,
): Promise<void> {
  const incident = await findIncident(ctx.knex, incidentId);
  if (!incident || incident.status === 'resolved') return;
  const rank = (s: string) => Number(s.replace(/^sev/, ''));
  if (rank(to) >= rank(incident.severity)) return;
  await changeSeverity(ctx, incidentId, to, 'copilot', reason);
}
