// Presenter: when the paged service has SLOs, posts the SLO burn chart (the SLI over the last hours against the share
// the objective allows, the budget left in the title) in the briefing thread, once per incident.
import type { AppContext } from '../../src/context.js';
import { findIncident, type Incident } from '../../src/incidents/repository.js';
import { appendEvent, findEventByKey } from '../../src/incidents/timeline-repository.js';
import { errorBudgetsFor } from '../../src/slo/error-budget.js';
import { buildSloBurnChartView } from '../../src/slo/slo-chart.js';
import { renderChartPng } from '../charts/render-chart.js';
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
    dedupeKey: key,
    data: { slo: slo.name, remaining: budget?.remaining ?? null },
  });
  return true;
}
