// Presenter: posts a small chart of the incident's key metric around the onset in the briefing thread, once, when metrics exist.
import type { AppContext } from '../../src/context.js';
import type { Series } from '../../src/investigation/evidence-model.js';
import { findIncident } from '../../src/incidents/repository.js';
import { firstAlert } from '../../src/incidents/alerts-repository.js';
import { appendEvent, findEventByKey } from '../../src/incidents/timeline-repository.js';
import { renderLineChartPng } from './chart-png.js';

/** The metric role charted when the investigation cites no metric of its own. */
const DEFAULT_ROLE = 'error_ratio';

/**
 * Charts the metric the top hypothesis cites (else the service's error ratio) from an hour before the onset to now.
 * Returns false when there is nothing to chart (no metrics source, no service, no data) or it was already posted.
 */
export async function postOnsetChart(ctx: AppContext, incidentId: number): Promise<boolean> {
  const metrics = ctx.services.evidence.metrics;
  const incident = await findIncident(ctx.knex, incidentId);
  if (!metrics || !incident?.service || !incident.channelId || !incident.briefingTs) return false;
  if (await findEventByKey(ctx.knex, `chart:${incidentId}`)) return false;
  const alert = await firstAlert(ctx.knex, incidentId);
  const onset = ((alert?.starts_at as Date | undefined) ?? incident.openedAt).getTime();
  const now = ctx.clock.now().getTime();
  const range = { start: onset - 3_600_000, end: Math.max(now, onset + 60_000), stepMs: ctx.config.file.metrics.step };
  const cited = incident.investigation?.hypotheses[0]?.evidence.find((e) => e.kind === 'metric')?.ref;
  let series: Series[] = [];
  let label = DEFAULT_ROLE;
  try {
    if (cited && cited.includes('{')) {
      series = await metrics.queryRange(cited, range);
      label = cited;
    }
    if (!series.some((s) => s.values.length)) {
      series = await metrics.queryRole(DEFAULT_ROLE, incident.service, range);
      label = DEFAULT_ROLE;
    }
  } catch (err) {
    ctx.logger.warn({ err, incidentId }, 'could not read the metric to chart');
    return false;
  }
  const s = series.find((x) => x.values.length > 1);
  if (!s) return false;
  const png = renderLineChartPng({ points: s.values.map(([t, v]) => [t, Number(v)]), onset: onset / 1000 });
  await ctx.chat.uploadFile(incident.channelId, {
    filename: `${incident.publicId.toLowerCase()}-${label.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40)}.png`,
    title: `${incident.publicId}: ${label} around the onset (red line)`,
    content: png,
    threadTs: incident.briefingTs,
  });
  await appendEvent(ctx.knex, {
    incidentId,
    type: 'chart.posted',
    actor: 'copilot',
    dedupeKey: `chart:${incidentId}`,
    data: { metric: label, points: s.values.length },
  });
  return true;
}
