// Chart view models: what a chart shows (series in a unit, a threshold line, labelled time markers, the team's time
// zone), built purely from evidence so any capability can ask for one; presenters turn them into pictures.
import type { Series } from './evidence-model.js';
import { formatValue, roleLabel, unitOfRole, type Unit } from './format-value.js';

/** One line of a chart: [epoch ms, value] points in time order. */
export interface ChartSeries {
  name: string;
  points: Array<[number, number]>;
  /** Drawn strong when several series share the chart (the paged service). */
  highlight?: boolean;
}

/** A labelled vertical line: when the trouble began, a deploy, a change, when a fix was applied. */
export interface ChartMarker {
  at: number;
  label: string;
  kind: 'onset' | 'deploy' | 'change' | 'remediation';
}

/** A horizontal line: the alert threshold or the SLO objective. */
export interface ChartRule {
  value: number;
  label: string;
}

/** Everything a chart shows, in numbers and words; no pixels, no colours. */
export interface ChartView {
  title: string;
  /** A second line under the title (the state of things: "45.7% of budget left, burning 14× over 1 h"). */
  subtitle?: string;
  /** The y axis's metric, for people ("error ratio"). */
  metric: string;
  unit: Unit;
  /** The y axis's title when "metric (unit)" would not read well (a certificate's "cert expiry (time left)"). */
  axisTitle?: string;
  /** IANA time zone the time axis reads in (the team's). */
  timeZone: string;
  series: ChartSeries[];
  rule?: ChartRule;
  markers: ChartMarker[];
}

/** Draws a chart view as an SVG document: the presenters' renderer, handed to the core as a port (src/app.ts). */
export interface ChartRenderer {
  svg(view: ChartView): Promise<string>;
}

/** A series' name for a legend: its service label, else its other labels, else the metric. */
export function seriesName(s: Series, fallback: string): string {
  const labels = s.metric;
  if (labels.service) return labels.service;
  const rest = Object.entries(labels)
    .filter(([k]) => k !== '__name__')
    .map(([k, v]) => `${k}=${v}`);
  return rest.length ? rest.join(',') : fallback;
}

/** Finite [ms, value] points of a metric series (Prometheus gives [unix seconds, "value"]). */
export function seriesPoints(s: Series): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [t, raw] of s.values) {
    const v = Number(raw);
    if (Number.isFinite(v)) out.push([t * 1000, v]);
  }
  return out;
}

/**
 * A chart of any metric ("chart of X"): its series in the role's unit, the paged service highlighted when several are
 * drawn, a threshold and markers when given. A certificate's expiry (a Unix time, flat while nothing renews) is drawn
 * as days left at each moment, against the threshold in days, so the line falls towards it instead of lying flat.
 */
export function buildMetricChartView(input: {
  title: string;
  role: string;
  /** The metric's name for people when it is not a role (a raw query); defaults to the role's label. */
  metric?: string;
  series: Series[];
  timeZone: string;
  highlight?: string;
  threshold?: ChartRule;
  markers?: ChartMarker[];
}): ChartView {
  const unit = unitOfRole(input.role);
  const metric = input.metric ?? roleLabel(input.role);
  let series = input.series
    .map((s) => ({ name: seriesName(s, metric), points: seriesPoints(s) }))
    .filter((s) => s.points.length > 0);
  // Under two days left the axis reads in hours and minutes (the seconds formatter picks), else in days.
  let shown: Unit = unit;
  let rule = input.threshold;
  if (unit === 'expiry') {
    series = series.map((s) => ({
      ...s,
      points: s.points.map(([t, v]): [number, number] => [t, (v * 1000 - t) / DAY]),
    }));
    const span = Math.max(0, ...series.flatMap((s) => s.points.map(([, v]) => Math.abs(v))));
    shown = span < 2 ? 'seconds' : 'days';
    if (shown === 'seconds') {
      series = series.map((s) => ({ ...s, points: s.points.map(([t, v]): [number, number] => [t, v * 86_400]) }));
      // One unit per chart: the threshold is labelled in the axis's hours and minutes, not in days.
      if (rule) {
        const inDays = formatValue(rule.value, 'days');
        const value = rule.value * 86_400;
        rule = { value, label: rule.label.replace(inDays, formatValue(value, 'seconds')) };
      }
    }
  }
  const many = series.length > 1;
  return {
    title: input.title,
    metric,
    unit: shown,
    ...(unit === 'expiry' ? { axisTitle: `${metric} (${shown === 'days' ? 'days' : 'time'} left)` } : {}),
    timeZone: input.timeZone,
    series: series.map((s) => (many && s.name === input.highlight ? { ...s, highlight: true } : s)),
    ...(rule ? { rule } : {}),
    markers: [...(input.markers ?? [])].sort((a, b) => a.at - b.at),
  };
}

const DAY = 86_400_000;

/**
 * The chart of a remediation's verification: the SLI before and after the fix, split at the moment it was applied,
 * against the limit the verdict used.
 */
export function buildVerificationChartView(input: {
  title: string;
  role: string;
  points: Array<[number, number]>;
  appliedAt: number;
  actionLabel: string;
  limit?: number;
  timeZone: string;
}): ChartView {
  const unit = unitOfRole(input.role);
  const before = input.points.filter(([t]) => t <= input.appliedAt);
  const later = input.points.filter(([t]) => t > input.appliedAt);
  // The after line starts at the last point before the fix, so even one point after it draws a segment.
  const after = later.length > 0 && before.length > 0 ? [before[before.length - 1]!, ...later] : later;
  return {
    title: input.title,
    metric: roleLabel(input.role),
    unit,
    timeZone: input.timeZone,
    series: [
      { name: 'before', points: before },
      { name: 'after', points: after, highlight: true },
    ].filter((s) => s.points.length > 0),
    ...(input.limit !== undefined
      ? { rule: { value: input.limit, label: `limit ${formatValue(input.limit, unit)}` } }
      : {}),
    markers: [{ at: input.appliedAt, label: input.actionLabel, kind: 'remediation' }],
  };
}

/** The level the runbooks of a saturation role act at when the alert names none ("CPU above 0.9 of its limit"). */
export const DEFAULT_SATURATION_LEVELS: Readonly<Record<string, number>> = { cpu: 0.9, db_connections: 0.9 };

/**
 * The line a chart with no SLO line of its own is drawn against: the alert's own threshold for this role when its
 * definition gives one (`alertThresholdFor`), labelled as the alert's; else, for a saturation role, the default level
 * its runbooks act at, labelled as a default; else none.
 */
export function saturationThreshold(role: string, fromAlert?: number): ChartRule | undefined {
  if (fromAlert !== undefined) return thresholdRule(role, fromAlert, 'alert threshold');
  const level = DEFAULT_SATURATION_LEVELS[role];
  if (level === undefined) return undefined;
  const rule = thresholdRule(role, level, 'saturation');
  return { ...rule, label: `${rule.label} (default)` };
}

/**
 * The threshold the paged alert's definition gives for the metric role `role`: the rule's annotations
 * `threshold` ("0.85" or "85%") and `threshold_role` (the role it is about, so a 5% error threshold is never drawn
 * on a CPU chart). Undefined when absent, about another role, or not a plain number.
 */
export function alertThresholdFor(
  page: { annotations?: Record<string, string>; labels?: Record<string, string> } | null | undefined,
  role: string,
): number | undefined {
  const a = page?.annotations ?? {};
  if (a.threshold_role?.trim() !== role) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(a.threshold ?? '');
  if (!m) return undefined;
  const value = Number(m[1]) / (m[2] ? 100 : 1);
  return Number.isFinite(value) ? value : undefined;
}

/** The threshold label of a role's value ("threshold 5%"). */
export function thresholdRule(role: string, value: number, word = 'threshold'): ChartRule {
  const unit = unitOfRole(role);
  return { value, label: `${word} ${formatValue(value, unit === 'expiry' ? 'days' : unit)}` };
}
