// Presenter: posts a chart of the incident's key metric around the onset in the briefing thread, once, when metrics
// exist: the onset and each deploy or change as labelled markers, the SLO's paging level as a line, in the team's zone.
import type { AppContext } from '../../src/context.js';
import type { Series } from '../../src/investigation/evidence-model.js';
import { buildMetricChartView, thresholdRule, type ChartMarker } from '../../src/investigation/chart-view.js';
import { roleLabel } from '../../src/investigation/format-value.js';
import { findIncident } from '../../src/incidents/repository.js';
import { firstAlert } from '../../src/incidents/alerts-repository.js';
import { appendEvent, findEventByKey } from '../../src/incidents/timeline-repository.js';
import { sloLimitFor } from '../../src/remediation/verification.js';
import { renderChartPng } from '../charts/render-chart.js';

/** The metric role charted when the investigation cites no metric of its own. */
const DEFAULT_ROLE = 'error_ratio';
const HOUR = 3_600_000;

/** The team's time zone, UTC when the incident has no team or the team none. */
export function teamTimeZone(ctx: AppContext, team: string | null): string {
  return ctx.config.file.teams.find((t) => t.name === team)?.timeZone ?? 'UTC';
}

/** "14:05" in a time zone, for a marker's label. */
function clockTime(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    at,
  );
}

/**
 * Charts the metric the top hypothesis cites (else the service's error ratio) from an hour before the onset to now.
 * The onset is the investigation's change point (the alert's start waits out its rule's `for:` window, so it sits
 * after the rise); the alert's start is the fallback. Returns false when there is nothing to chart (no metrics
 * source, no service, no data) or it was already posted.
 */
export async function postOnsetChart(ctx: AppContext, incidentId: number): Promise<boolean> {
  const metrics = ctx.services.evidence.metrics;
  const incident = await findIncident(ctx.knex, incidentId);
  if (!metrics || !incident?.service || !incident.channelId || !incident.briefingTs) return false;
  if (await findEventByKey(ctx.knex, `chart:${incidentId}`)) return false;
  const alert = await firstAlert(ctx.knex, incidentId);
  const onset =
    incident.investigation?.onset ?? ((alert?.starts_at as Date | undefined) ?? incident.openedAt).getTime();
  const now = ctx.clock.now().getTime();
  const range = { start: onset - HOUR, end: Math.max(now, onset + 60_000), stepMs: ctx.config.file.metrics.step };
  const cited = incident.investigation?.hypotheses[0]?.evidence.find((e) => e.kind === 'metric')?.ref;
  let series: Series[] = [];
  let query: string | undefined;
  try {
    if (cited && cited.includes('{')) {
      series = await metrics.queryRange(cited, range);
      query = cited;
    }
    if (!series.some((s) => s.values.length > 1)) {
      series = await metrics.queryRole(DEFAULT_ROLE, incident.service, range);
      query = undefined;
    }
  } catch (err) {
    ctx.logger.warn({ err, incidentId }, 'could not read the metric to chart');
    return false;
  }
  series = series.filter((s) => s.values.length > 1);
  if (!series.length) return false;
  const role = query ? roleOfQuery(ctx, query) : DEFAULT_ROLE;
  const label = query ?? DEFAULT_ROLE;
  const timeZone = teamTimeZone(ctx, incident.team);
  const limit = role ? sloLimitFor(ctx.config, incident.service, role) : undefined;
  const view = buildMetricChartView({
    title: `${incident.publicId}: ${role ? roleLabel(role) : 'metric'} of ${incident.service} around the onset`,
    role: role ?? 'count',
    ...(role ? {} : { metric: query!.slice(0, 60) }),
    series,
    timeZone,
    highlight: incident.service,
    ...(limit !== undefined ? { threshold: thresholdRule(role!, limit, 'SLO paging level') } : {}),
    markers: [
      { at: onset, label: `onset ${clockTime(onset, timeZone)}`, kind: 'onset' },
      ...(await changeMarkers(ctx, incident.service, range)),
    ],
  });
  const png = await renderChartPng(view);
  await ctx.chat.uploadFile(incident.channelId, {
    filename: `${incident.publicId.toLowerCase()}-${label.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40)}.png`,
    title: view.title,
    content: png,
    threadTs: incident.briefingTs,
  });
  await appendEvent(ctx.knex, {
    incidentId,
    type: 'chart.posted',
    actor: 'copilot',
    dedupeKey: `chart:${incidentId}`,
    data: {
      metric: label,
      points: series.reduce((n, s) => n + s.values.length, 0),
      onset: new Date(onset).toISOString(),
    },
  });
  return true;
}

/** The metric role whose configured query is this one, when any (its unit comes with it). */
function roleOfQuery(ctx: AppContext, query: string): string | undefined {
  const roles = ctx.config.file.metrics.roles;
  const pattern = (q: string) => q.replace(/\{\{service\}\}/g, '');
  const compact = (q: string) => q.replace(/"[^"]*"/g, '""');
  return Object.keys(roles).find((r) => compact(pattern(roles[r]!)) === compact(query));
}

/** Deploys and changes of the service in the window, as markers; none when the source is missing or fails. */
async function changeMarkers(
  ctx: AppContext,
  service: string,
  range: { start: number; end: number; stepMs: number },
): Promise<ChartMarker[]> {
  const source = ctx.services.evidence.changes;
  if (!source) return [];
  try {
    const [deploys, changes] = await Promise.all([
      source.listDeploys(range, service),
      source.listChanges(range, service),
    ]);
    return [
      ...deploys.map((d): ChartMarker => ({
        at: Date.parse(d.ts),
        label: `deploy ${d.service}${d.sha ? ` ${d.sha.slice(0, 7)}` : ''}`,
        kind: 'deploy',
      })),
      ...changes.map((c): ChartMarker => ({
        at: Date.parse(c.ts),
        label: `${c.kind.replace(/_/g, ' ')} ${c.service}`,
        kind: 'change',
      })),
    ].filter((m) => Number.isFinite(m.at) && m.at >= range.start && m.at <= range.end);
  } catch (err) {
    ctx.logger.warn({ err, service }, 'could not read deploys and changes to mark on the chart');
    return [];
  }
}
