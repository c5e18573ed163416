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
      if (rule) rule = { ...rule, value: rule.value * 86_400 };
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

/**
 * The level a saturation role is acted on at, as the runbooks' steps say it ("CPU above 0.9 of its limit: scale
 * out"), for a chart with no SLO line of its own; undefined for roles with no such level.
 */
export function saturationThreshold(role: string): ChartRule | undefined {
  const levels: Record<string, number> = { cpu: 0.9, db_connections: 0.9 };
  const level = levels[role];
  return level === undefined ? undefined : thresholdRule(role, level, 'saturation');
}

/** The threshold label of a role's value ("threshold 5%"). */
export function thresholdRule(role: string, value: number, word = 'threshold'): ChartRule {
  const unit = unitOfRole(role);
  return { value, label: `${word} ${formatValue(value, unit === 'expiry' ? 'days' : unit)}` };
}
