// Presenter: when the paged service has SLOs, posts the SLO burn chart (the SLI over the last hours against the share
// the objective allows, the budget left in the title) in the briefing thread, once per incident; `/slo`'s chart; and
// the burn over the incident in the thread of its postmortem's review message.
import type { AppContext } from '../../src/context.js';
import { findIncident, type Incident } from '../../src/incidents/repository.js';
import { appendEvent, findEventByKey } from '../../src/incidents/timeline-repository.js';
import { errorBudgetsFor } from '../../src/slo/error-budget.js';
import { buildSloBurnChartView } from '../../src/slo/slo-chart.js';
import { postmortemSloBurn } from '../../src/postmortems/slo-burn.js';
import { renderChartPng } from '../charts/render-chart.js';
import { listIncidentListings } from '../../src/incidents/listings-repository.js';
import { roleReader } from '../../src/slo/budget-source.js';
import { errorRatioQuery } from '../../src/slo/model.js';
import type { SloPolicyStatus } from '../../src/slo/policy-service.js';
import { promDuration } from '../../src/slo/prometheus-rules.js';
import { clockTime, teamTimeZone } from '../charts/chart-of-metric.js';

/** How far back the burn chart looks: long enough to show the burn's start against a quiet baseline. */
const SPAN_MS = 6 * 3_600_000;

/**
 * Posts the burn chart of the first SLO of the incident's service. Returns false when the service has no SLO, there is
 * no metrics source or data, or it was already posted.
 */
export async function postSloChart(ctx: AppContext, incidentId: number, loaded?: Incident): Promise<boolean> {
  const metrics = ctx.services.evidence.metrics;
  const incident = loaded ?? (await findIncident(ctx.knex, incidentId));
  if (!metrics || !incident?.service || !incident.channelId || !incident.briefingTs) return false;
  const slo = ctx.config.file.slos.find((s) => s.service === incident.service);
  if (!slo) return false;
  const key = `slo-chart:${incidentId}`;
  if (await findEventByKey(ctx.knex, key)) return false;
  const now = ctx.clock.now();
  const series = await metrics.queryRole(slo.sli, incident.service, {
    start: now.getTime() - SPAN_MS,
    end: now.getTime(),
    stepMs: Math.max(ctx.config.file.metrics.step, 60_000),
  });
  if (!series.some((s) => s.values.length > 1)) return false;
  const budget = (await errorBudgetsFor(ctx, incident.service, now)).find((b) => b.slo === slo.name);
  const timeZone = teamTimeZone(ctx, incident.team);
  const onset = incident.investigation?.onset;
  const view = buildSloBurnChartView({
    slo,
    series,
    timeZone,
    ...(budget ? { budget } : {}),
    ...(onset !== undefined
      ? { markers: [{ at: onset, label: `onset ${clockTime(onset, timeZone)}`, kind: 'onset' }] }
      : {}),
  });
  await ctx.chat.uploadFile(incident.channelId, {
    filename: `${incident.publicId.toLowerCase()}-slo-${slo.name.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40)}.png`,
    title: `${incident.publicId}: ${view.title}${view.subtitle ? `: ${view.subtitle}` : ''}`,
    content: await renderChartPng(view),
    threadTs: incident.briefingTs,
  });
  await appendEvent(ctx.knex, {
    incidentId,
    type: 'chart.posted',
    actor: 'copilot',
    at: ctx.clock.now(),
    dedupeKey: key,
    data: { slo: slo.name, remaining: budget?.remaining ?? null },
  });
  return true;
}

/** How far back the /slo chart looks. */
const STATUS_SPAN_MS = 24 * 3_600_000;

/**
 * Uploads the burn chart of one SLO to `channel` (for `/slo`): its SLI over the last day against the objective's
 * allowed share, the budget left and 1 h burn in the title, and the service's incidents in that day as markers.
 * False when there is no metrics source or no data.
 */
export async function postSloStatusChart(ctx: AppContext, channel: string, status: SloPolicyStatus): Promise<boolean> {
  const metrics = ctx.services.evidence.metrics;
  const { slo: spec, reading } = status;
  const def = ctx.config.file.slos.find((s) => s.service === spec.service && s.name === spec.name);
  if (!metrics || !def) return false;
  const end = reading.at.getTime();
  const range = { start: end - STATUS_SPAN_MS, end, stepMs: Math.max(ctx.config.file.metrics.step, 5 * 60_000) };
  const role = roleReader(ctx.config.file)(spec);
  const series = role
    ? await metrics.queryRole(role.role, spec.service, range)
    : await metrics.queryRange(errorRatioQuery(spec, promDuration(range.stepMs)), range);
  if (!series.some((s) => s.values.length > 1)) return false;
  const team = ctx.config.file.services.find((s) => s.name === spec.service)?.team ?? null;
  const timeZone = teamTimeZone(ctx, team);
  const incidents = (await listIncidentListings(ctx.knex, { limit: 200 })).filter(
    (i) => i.service === spec.service && i.onsetAt.getTime() >= range.start && i.onsetAt.getTime() <= end,
  );
  const burn1h = reading.windows.find((w) => w.windowMs === 3_600_000)?.burnRate ?? null;
  const view = buildSloBurnChartView({
    slo: def,
    series,
    timeZone,
    budget: { remaining: reading.remaining, burnRate1h: burn1h },
    markers: incidents.map((i) => ({
      // Where the SLI departed (the briefing's start), not when the alert's `for:` ran out and the incident opened.
      at: i.onsetAt.getTime(),
      label: `${i.publicId} ${clockTime(i.onsetAt.getTime(), timeZone)}`,
      kind: 'onset' as const,
    })),
  });
  await ctx.chat.uploadFile(channel, {
    filename: `slo-${spec.id.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60)}.png`,
    title: `${view.title}${view.subtitle ? `: ${view.subtitle}` : ''}`,
    content: await renderChartPng(view),
  });
  return true;
}

/**
 * Posts the incident's SLO burn chart (postmortemSloBurn: an hour before it opened to its resolve, onset and resolve
 * marked) in the thread of the postmortem's review message, once per incident. False when the service has no SLO,
 * there is no data, the review message is not posted yet, or the chart was already posted.
 */
export async function postPostmortemSloChart(
  ctx: AppContext,
  incident: Incident,
  channel: string,
  reviewTs: string,
): Promise<boolean> {
  const key = `postmortem-slo-chart:${incident.id}`;
  if (await findEventByKey(ctx.knex, key)) return false;
  const burn = await postmortemSloBurn(ctx, incident);
  if (!burn) return false;
  const { slo, view } = burn;
  await ctx.chat.uploadFile(channel, {
    filename: `${incident.publicId.toLowerCase()}-slo-burn-${slo.name.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40)}.png`,
    title: `${view.title}${view.subtitle ? `: ${view.subtitle}` : ''}`,
    content: await renderChartPng(view),
    threadTs: reviewTs,
  });
  await appendEvent(ctx.knex, {
    incidentId: incident.id,
    type: 'chart.posted',
    actor: 'copilot',
    at: ctx.clock.now(),
    dedupeKey: key,
    data: { slo: slo.name, for: 'postmortem' },
  });
  return true;
}
