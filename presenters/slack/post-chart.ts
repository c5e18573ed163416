// Presenter: posts a chart of the incident's key metric around the onset in the briefing thread, once, when metrics
// exist: the onset and each deploy or change as labelled markers, the SLO's paging level as a line, in the team's zone.
import type { AppContext } from '../../src/context.js';
import { findIncident, type Incident } from '../../src/incidents/repository.js';
import { firstAlert } from '../../src/incidents/alerts-repository.js';
import { appendEvent, findEventByKey } from '../../src/incidents/timeline-repository.js';
import { incidentOnset } from '../../src/incidents/onset.js';
import { chartOfMetric, clockTime, teamTimeZone, type MetricChart } from '../charts/chart-of-metric.js';
import { postSloChart } from './post-slo-chart.js';

/** The metric role charted when the investigation cites no metric of its own. */
const DEFAULT_ROLE = 'error_ratio';
const HOUR = 3_600_000;

/**
 * Charts the metric the top hypothesis cites (else the service's error ratio) from an hour before the onset to now.
 * The onset is the investigation's change point (the alert's start waits out its rule's `for:` window, so it sits
 * after the rise); the alert's start is the fallback. Returns false when there is nothing to chart (no metrics
 * source, no service, no data) or it was already posted.
 */
export async function postOnsetChart(ctx: AppContext, incidentId: number, loaded?: Incident): Promise<boolean> {
  const incident = loaded ?? (await findIncident(ctx.knex, incidentId));
  if (!ctx.services.evidence.metrics || !incident?.service || !incident.channelId || !incident.briefingTs) return false;
  if (await findEventByKey(ctx.knex, `chart:${incidentId}`)) return false;
  const alert = await firstAlert(ctx.knex, incidentId);
  // The same instant the briefing's "Started" shows (src/incidents/onset.ts), labelled to the same minute.
  const onset = incidentOnset(incident, alert?.starts_at as Date | undefined);
  const timeZone = teamTimeZone(ctx, incident.team);
  const suspect = incident.investigation?.hypotheses[0]?.service;
  const base = {
    service: incident.service,
    start: onset - HOUR,
    end: Math.max(ctx.clock.now().getTime(), onset + 60_000),
    timeZone,
    prefix: incident.publicId,
    caption: 'around the onset',
    // The alert's own threshold (its definition's `threshold` and `threshold_role` annotations) when it gives one.
    page: incident.page,
    markers: [{ at: onset, label: `onset ${clockTime(onset, timeZone)}`, kind: 'onset' as const }],
    // The suspect's deploys and changes too: the cause is often a dependency's.
    changesOf: [incident.service, ...(suspect ? [suspect] : [])],
  };
  const cited = incident.investigation?.hypotheses[0]?.evidence.find((e) => e.kind === 'metric');
  let chart: MetricChart | undefined;
  try {
    // The cited series, read as the role the investigation read it as (its unit), else as a configured role's query.
    if (cited?.ref.includes('{'))
      chart = await chartOfMetric(ctx, {
        ...base,
        service: suspect ?? incident.service,
        highlight: incident.service,
        query: cited.ref,
        ...(cited.role ? { role: cited.role } : {}),
      });
    chart ??= await chartOfMetric(ctx, { ...base, role: DEFAULT_ROLE });
  } catch (err) {
    ctx.logger.warn({ err, incidentId }, 'could not read the metric to chart');
    return false;
  }
  if (!chart) return false;
  await ctx.chat.uploadFile(incident.channelId, {
    filename: `${incident.publicId.toLowerCase()}-${chart.query.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40)}.png`,
    title: chart.view.title,
    content: chart.png,
    threadTs: incident.briefingTs,
  });
  await appendEvent(ctx.knex, {
    incidentId,
    type: 'chart.posted',
    actor: 'copilot',
    at: ctx.clock.now(),
    dedupeKey: `chart:${incidentId}`,
    data: {
      metric: chart.query,
      points: chart.view.series.reduce((n, s) => n + s.points.length, 0),
      onset: new Date(onset).toISOString(),
      markers: chart.view.markers.map((m) => `${m.kind}: ${m.label}`),
    },
  });
  return true;
}

/**
 * The incident's charts in the briefing thread: the key metric around the onset, then the SLO burn when the service
 * has an SLO. Each is a nicety, posted once: failing to draw or upload one is logged and never fails anything else.
 * The incident is read once for both (or taken as `loaded` when the caller has it as it now is).
 */
export async function postIncidentCharts(ctx: AppContext, incidentId: number, loaded?: Incident): Promise<void> {
  const incident = loaded ?? (await findIncident(ctx.knex, incidentId));
  if (!incident) return;
  await postOnsetChart(ctx, incidentId, incident).catch((err) =>
    ctx.logger.warn({ err, incidentId }, 'could not post the metric chart'),
  );
  await postSloChart(ctx, incidentId, incident).catch((err) =>
    ctx.logger.warn({ err, incidentId }, 'could not post the SLO burn chart'),
  );
}
