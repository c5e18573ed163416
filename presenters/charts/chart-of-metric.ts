// "A chart of X": reads a metric (a configured role of a service, or a query) over a window from the metrics source
// and draws it with the deploys and changes of the service marked, the SLO's paging level as the line, in the team's
// time zone. The briefing's onset chart uses it; the conversation can call it for a question that asks for a chart.
import type { AppContext } from '../../src/context.js';
import {
  buildMetricChartView,
  alertThresholdFor,
  saturationThreshold,
  thresholdRule,
  type ChartMarker,
  type ChartView,
} from '../../src/investigation/chart-view.js';
import type { Series } from '../../src/investigation/evidence-model.js';
import type { PageSummary } from '../../src/investigation/ports.js';
import { roleLabel } from '../../src/investigation/format-value.js';
import { sloLimitFor } from '../../src/remediation/verification.js';
import { renderChartPng } from './render-chart.js';
import { formatClockTime } from '../../lib/wall-clock.js';
import { teamZone } from '../../src/incidents/onset.js';

/**
 * What to chart: a metric role of a service, or a query; a query's unit comes from `role` when given (the role it was
 * read as), else from the configured role whose query it is.
 */
export interface MetricChartRequest {
  service: string;
  role?: string;
  query?: string;
  start: number;
  end: number;
  timeZone: string;
  /** Shown in the title before the metric ("INC-7"). */
  prefix?: string;
  /** The page: its alert's own threshold for the charted role (`alertThresholdFor`) is drawn instead of a default. */
  page?: PageSummary | null;
  /** Said after the service in the title ("around the onset"). */
  caption?: string;
  markers?: ChartMarker[];
  /** The series drawn strong when there are several (default: the charted service; the paged one for an incident). */
  highlight?: string;
  /** Services whose deploys and changes are marked (default: the charted service). */
  changesOf?: string[];
}

/** A drawn chart: its view model (what it shows), its PNG, and the query it read. */
export interface MetricChart {
  view: ChartView;
  png: Buffer;
  query: string;
}

/** The team's time zone, UTC when the incident has no team or the team none. */
export function teamTimeZone(ctx: AppContext, team: string | null): string {
  return teamZone(ctx.config.file, team);
}

/** "14:05" in a time zone, for a marker's label: the same minute the briefing and the console show (lib/wall-clock.ts). */
export function clockTime(at: number, timeZone: string): string {
  return formatClockTime(at, timeZone);
}

/**
 * Draws a chart of a metric; undefined when there is no metrics source or no series with two points. A failing
 * metrics source throws (the caller decides whether a chart matters enough to retry).
 */
export async function chartOfMetric(ctx: AppContext, req: MetricChartRequest): Promise<MetricChart | undefined> {
  const metrics = ctx.services.evidence.metrics;
  if (!metrics || (!req.role && !req.query)) return undefined;
  const range = { start: req.start, end: req.end, stepMs: ctx.config.file.metrics.step };
  const series: Series[] = (
    req.query ? await metrics.queryRange(req.query, range) : await metrics.queryRole(req.role!, req.service, range)
  ).filter((s) => s.values.length > 1);
  if (!series.length) return undefined;
  const role = req.role ?? roleOfQuery(ctx, req.query!);
  const limit = role ? sloLimitFor(ctx.config, req.service, role) : undefined;
  const fromAlert = role ? alertThresholdFor(req.page, role) : undefined;
  const view = buildMetricChartView({
    title: `${req.prefix ? `${req.prefix}: ` : ''}${role ? roleLabel(role) : 'metric'} of ${req.service}${req.caption ? ` ${req.caption}` : ''}`,
    role: role ?? 'count',
    ...(role ? {} : { metric: req.query!.slice(0, 60) }),
    series,
    timeZone: req.timeZone,
    highlight: req.highlight ?? req.service,
    ...(limit !== undefined
      ? { threshold: thresholdRule(role!, limit, 'SLO paging level') }
      : role && saturationThreshold(role, fromAlert)
        ? { threshold: saturationThreshold(role, fromAlert)! }
        : {}),
    markers: [
      ...(req.markers ?? []),
      ...(
        await Promise.all([...new Set(req.changesOf ?? [req.service])].map((s) => changeMarkers(ctx, s, range)))
      ).flat(),
    ],
  });
  return { view, png: await renderChartPng(view), query: req.query ?? req.role! };
}

/** The metric role whose configured query is this one, when any (its unit comes with it). */
export function roleOfQuery(ctx: AppContext, query: string): string | undefined {
  const roles = ctx.config.file.metrics.roles;
  const shape = (q: string) => q.replace(/"[^"]*"/g, '""');
  return Object.keys(roles).find((r) => shape(roles[r]!) === shape(query));
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
        label: `deploy ${d.id} (${d.service})`,
        kind: 'deploy',
      })),
      ...changes.map((c): ChartMarker => ({
        at: Date.parse(c.ts),
        label: `${c.kind.replace(/_/g, ' ')} ${c.id} (${c.service})`,
        kind: 'change',
      })),
    ].filter((m) => Number.isFinite(m.at) && m.at >= range.start && m.at <= range.end);
  } catch (err) {
    ctx.logger.warn({ err, service }, 'could not read deploys and changes to mark on the chart');
    return [];
  }
}
