// Chart view model → Vega-Lite spec: a pure function, so a chart's content is decided here and tested as data; the
// time axis reads in the team's time zone and the value axis in the metric's unit (the one value formatter).
import type { TopLevelSpec } from 'vega-lite';
import type { ChartView } from '../../src/investigation/chart-view.js';
import { formatValue } from '../../src/investigation/format-value.js';
import { toLocal } from '../../src/oncall/business-hours.js';
import { zoneName } from '../../lib/wall-clock.js';

/** The one font every chart uses; the renderer loads the bundled file of it and nothing else. */
export const CHART_FONT = 'DejaVu Sans';
export const CHART_WIDTH = 560;
export const CHART_HEIGHT = 220;

const DAY = 86_400_000;
const STRONG = '#1f5fbf';
const OTHERS = ['#9aa5b1', '#b8a88a', '#8fb3a0', '#b59ab8', '#a3a3a3'];
const MARKER_COLOURS: Record<string, string> = {
  onset: '#d62728',
  deploy: '#7b3fb5',
  change: '#e07b00',
  remediation: '#2a9d3a',
};

/** The wall-clock reading of an instant in a zone, as if it were UTC (what the time axis's ticks are rounded on). */
export function wallClockMs(at: number, timeZone: string): number {
  const l = toLocal(new Date(at), timeZone);
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second) + (at % 1000);
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** Tick steps of the time axis, on the zone's wall clock: round minutes, hours, then days. */
const TIME_STEPS = [1, 2, 5, 15, 30]
  .map((m) => m * MINUTE)
  .concat(
    [1, 2, 3, 6, 12].map((h) => h * HOUR),
    DAY,
    2 * DAY,
    7 * DAY,
  );
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The time axis's ticks: the instants in [start, end] at which the zone's wall clock shows a round time (every 15 min,
 * every 2 h, each midnight...), at most about `count` of them, with their labels ("14:30", or "Dec 01 00:00" when the
 * window spans more than a day). The scale stays in true instants, so a daylight-saving change neither folds an hour
 * onto itself nor leaves a gap: the fall-back night's repeated hour is drawn twice, in order.
 */
export function timeTicks(
  start: number,
  end: number,
  timeZone: string,
  count = 6,
): Array<{ at: number; label: string }> {
  if (!(end > start)) return [];
  const span = end - start;
  // Across a daylight-saving change each label names its offset ("02:00 GMT+2", "02:00 GMT+1"): fewer, longer labels.
  const crossesChange = zoneName(start, timeZone) !== zoneName(end, timeZone);
  if (crossesChange) count = Math.min(count, 4);
  const step = TIME_STEPS.find((s) => span / s <= count) ?? Math.ceil(span / count / DAY) * DAY;
  const pad = (n: number) => String(n).padStart(2, '0');
  const out: Array<{ at: number; label: string }> = [];
  // Every zone's offset is a whole number of quarter hours: round wall-clock times fall on instants of 15-min steps.
  const probe = Math.min(step, 15 * MINUTE);
  for (let at = Math.ceil(start / probe) * probe; at <= end; at += probe) {
    const wall = wallClockMs(at, timeZone);
    // Steps of 2 days and more count days from the Unix epoch on the wall clock; the rest divide the day.
    if (wall % step !== 0) continue;
    const d = new Date(wall);
    const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    out.push({ at, label: span > DAY ? `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${time}` : time });
  }
  if (crossesChange) for (const t of out) t.label = `${t.label} ${zoneName(t.at, timeZone)}`;
  return out;
}

/** "Nice" tick values (1, 2, 2.5, 5 × 10^k steps) covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) hi = lo === 0 ? 1 : lo + Math.abs(lo);
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  // Whole multiples of the step, never a running sum: its float error would make the 0 tick -5.55e-17 (">-0.01%").
  for (let k = Math.floor(lo / step); k * step <= hi + step * 1e-9; k++)
    out.push(Number((k * step).toPrecision(12)) || 0);
  if (out[out.length - 1]! < hi) out.push(Number((out[out.length - 1]! + step).toPrecision(12)));
  return out;
}

/**
 * The size value ticks are round multiples of: durations tick at round hours or minutes (10,000 s is not "2.78 h"),
 * bytes at round GiB, MiB or KiB (binary: 1e9 B would read "954 MiB"), everything else at round numbers.
 */
function tickScale(unit: ChartView['unit'], top: number): number {
  const sizes = unit === 'seconds' ? [3600, 60] : unit === 'bytes' ? [2 ** 30, 2 ** 20, 2 ** 10] : [];
  // Seconds move to hours from two hours up and to minutes from two minutes; bytes to a unit from one of it.
  const from = unit === 'seconds' ? 2 : 1;
  return sizes.find((size) => top >= from * size) ?? 1;
}

const COMPACT = new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: 3 });

/**
 * The value axis's labels, each told apart from its neighbours: counts and rates from a million up in short form
 * ("12.5M", never "12,500,000" cut off at the chart's edge), and percent ticks closer than 0.01% with as many
 * decimals as their step needs ("0.002%", "0.004%", never "<0.01%" on every tick).
 */
export function valueTickLabels(ticks: readonly number[], unit: ChartView['unit']): string[] {
  const huge = (t: number) => (unit === 'count' || unit === 'per_second') && Math.abs(t) >= 1e6;
  const labels = ticks.map((t) =>
    huge(t) ? `${COMPACT.format(t)}${unit === 'per_second' ? ' req/s' : ''}` : formatValue(t, unit),
  );
  if (unit !== 'ratio' || ticks.length < 2 || new Set(labels).size === labels.length) return labels;
  const stepPercent = Math.abs(ticks[1]! - ticks[0]!) * 100;
  const decimals = Math.min(12, Math.max(0, Math.ceil(-Math.log10(stepPercent) - 1e-9)));
  return ticks.map((t) => {
    const text = (t * 100)
      .toFixed(decimals)
      .replace(/(\.\d*?)0+$/, '$1')
      .replace(/\.$/, '');
    return `${text === '-0' ? '0' : text}%`;
  });
}

const MARKER_LINE_PX = 13;
/** About how wide a character of a 10 px marker label is, in pixels (DejaVu Sans averages a little under 6). */
const MARKER_CHAR_PX = 6;

/**
 * The line (0 at the top) each marker's label is drawn on: markers are taken left to right and each label gets the
 * first line where it overlaps no label already placed, so close markers (a deploy minutes before the onset, two
 * fixes a minute apart) never print over each other. Past the lines the plot's height holds, the least crowded is used.
 */
export function markerLabelLines(
  labels: ReadonlyArray<{ x: number; chars: number; align: 'left' | 'right' }>,
): number[] {
  const maxLines = Math.max(1, Math.floor((CHART_HEIGHT - 20) / MARKER_LINE_PX));
  const placed: Array<Array<[number, number]>> = Array.from({ length: maxLines }, () => []);
  const out = new Array<number>(labels.length).fill(0);
  const order = labels.map((_, i) => i).sort((a, b) => labels[a]!.x - labels[b]!.x);
  for (const i of order) {
    const { x, chars, align } = labels[i]!;
    const width = chars * MARKER_CHAR_PX + 6;
    const span: [number, number] = align === 'left' ? [x, x + width] : [x - width, x];
    const overlaps = (line: Array<[number, number]>) => line.filter(([a, b]) => span[0] < b && a < span[1]).length;
    let line = placed.findIndex((l) => overlaps(l) === 0);
    if (line < 0) line = placed.reduce((best, l, k) => (overlaps(l) < overlaps(placed[best]!) ? k : best), 0);
    placed[line]!.push(span);
    out[i] = line;
  }
  return out;
}

/** The unit as the y axis title says it. */
function unitWord(view: ChartView): string {
  const words: Record<ChartView['unit'], string> = {
    ratio: '%',
    seconds: 'ms / s',
    bytes: 'bytes',
    per_second: 'req/s',
    count: 'count',
    expiry: 'time',
    days: 'days',
  };
  return words[view.unit];
}

/** The title's font size; the renderer estimates a text's width as 0.8 × its size per character (render-chart.ts). */
const TITLE_SIZE = 13;
/** How many characters of the title fit on one line of the chart's width, by that same estimate. */
const TITLE_CHARS = Math.floor(CHART_WIDTH / (0.8 * TITLE_SIZE));
const TITLE_LINES = 3;

/**
 * A title broken between words into lines that fit the chart's width (at most three; only past them is it cut with an
 * ellipsis), so "… before and after renew_certificate" is read whole.
 */
export function wrapTitle(title: string): string | string[] {
  if (title.length <= TITLE_CHARS) return title;
  const lines: string[] = [];
  for (const word of title.split(' ')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && `${last} ${word}`.length <= TITLE_CHARS) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines.length <= TITLE_LINES
    ? lines
    : [...lines.slice(0, TITLE_LINES - 1), lines.slice(TITLE_LINES - 1).join(' ')];
}

/** A text mark's white outline, drawn under the same text so lines crossing a label do not hide it. */
const HALO = { color: 'white', stroke: 'white', strokeWidth: 3, strokeJoin: 'round' as const };

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The Vega-Lite spec of a chart: the series as lines (the highlighted one strong, the rest muted), the rule as a dashed
 * horizontal line with its label, each marker as a labelled vertical line. Every mark carries a description, which the
 * SVG keeps as its aria-label.
 */
export function buildChartSpec(view: ChartView): TopLevelSpec {
  const tz = view.timeZone;
  const rows = view.series.flatMap((s) => s.points.map(([t, v]) => ({ t, v, series: s.name })));
  const values = rows.map((r) => r.v).concat(view.rule ? [view.rule.value] : []);
  // Ticks at round multiples of the unit people read (tickScale): hours, minutes, GiB, MiB.
  const top = values.length ? Math.max(...values.map(Math.abs)) : 1;
  const scale = tickScale(view.unit, top);
  const ticks = niceTicks(Math.min(0, ...values) / scale, (values.length ? Math.max(...values) : 1) / scale).map(
    (t) => t * scale,
  );
  const tickText = valueTickLabels(ticks, view.unit);
  const labelExpr = ticks.map((t, i) => `datum.value === ${t} ? ${quote(tickText[i]!)} : `).join('') + "''";
  const names = view.series.map((s) => s.name);
  const highlighted = view.series.find((s) => s.highlight)?.name;
  const strong = highlighted ?? names[0];
  const range = names.map((n, i) => (n === strong ? STRONG : OTHERS[i % OTHERS.length]!));
  const times = rows.map((r) => r.t).concat(view.markers.map((m) => m.at));
  const spanMs = times.length ? Math.max(...times) - Math.min(...times) : 0;
  const tTicks = times.length ? timeTicks(Math.min(...times), Math.max(...times), tz) : [];
  const timeLabels = tTicks.map((k) => `time(datum.value) === ${k.at} ? ${quote(k.label)} : `).join('') + "''";
  const x = {
    field: 't',
    type: 'temporal' as const,
    scale: { type: 'utc' as const, ...(times.length ? { domain: [Math.min(...times), Math.max(...times)] } : {}) },
    // Ticks at round times of the team's wall clock, labelled as it reads them (timeTicks).
    axis: { title: `time (${tz})`, values: tTicks.map((k) => k.at), labelExpr: timeLabels, grid: false },
  };
  const t0 = times.length ? Math.min(...times) : 0;
  // Right of 60% of the window, a label is drawn leftwards from its line so it stays inside the plot.
  const aligns = view.markers.map((m) => (times.length && m.at > t0 + 0.6 * spanMs ? 'right' : 'left'));
  const lines = markerLabelLines(
    view.markers.map((m, i) => ({
      x: spanMs > 0 ? ((m.at - t0) / spanMs) * CHART_WIDTH : 0,
      chars: m.label.length,
      align: aligns[i]!,
    })),
  );
  const markers = view.markers.map((m, i) => ({
    t: m.at,
    labelY: 2 + lines[i]! * MARKER_LINE_PX,
    label: m.label,
    align: aligns[i]!,
    kind: m.kind,
    colour: MARKER_COLOURS[m.kind],
    description: `${m.kind} marker: ${m.label}`,
  }));
  const layers: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [
    {
      data: { values: rows },
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x,
        y: {
          field: 'v',
          type: 'quantitative',
          scale: { domain: [ticks[0]!, ticks[ticks.length - 1]!], nice: false },
          axis: { title: view.axisTitle ?? `${view.metric} (${unitWord(view)})`, values: ticks, labelExpr },
        },
        color: {
          field: 'series',
          type: 'nominal',
          scale: { domain: names, range },
          legend: names.length > 1 ? { title: null, orient: 'top' } : null,
        },
        strokeWidth: highlighted
          ? { condition: { test: `datum.series === ${quote(highlighted)}`, value: 3 }, value: 1.5 }
          : { value: 2 },
        description: { field: 'series' },
      },
    },
  ];
  if (view.rule) {
    layers.push({
      data: {
        values: [{ v: view.rule.value, label: view.rule.label, description: `threshold line: ${view.rule.label}` }],
      },
      layer: [
        {
          mark: { type: 'rule', color: '#555555', strokeDash: [6, 4], strokeWidth: 1.5 },
          encoding: { y: { field: 'v', type: 'quantitative' }, description: { field: 'description' } },
        },
        // At the left edge: the onset and the fixes are drawn towards the right, so the label stays clear of them. A
        // white halo under it keeps it readable where a line crosses.
        ...[HALO, {}].map((paint) => ({
          mark: {
            type: 'text' as const,
            align: 'left' as const,
            dx: 4,
            dy: -6,
            fontSize: 10,
            color: '#555555',
            ...paint,
          },
          encoding: {
            y: { field: 'v', type: 'quantitative' as const },
            x: { value: 0 },
            text: { field: 'label' },
            ...(paint === HALO ? {} : { description: { field: 'description' } }),
          },
        })),
      ],
    });
  }
  if (markers.length) {
    // The marker's colour is data (scale: null), so it never joins the series' colour scale or legend.
    const colour = { field: 'colour', type: 'nominal' as const, scale: null, legend: null };
    layers.push({
      data: { values: markers },
      layer: [
        {
          mark: { type: 'rule', strokeWidth: 1.5, strokeDash: [3, 2] },
          encoding: { x, color: colour, description: { field: 'description' } },
        },
        // Labels of markers in the right part of the plot end at their line (align right), so none runs past the
        // plot and widens the picture; each is drawn twice, a white halo under the coloured text.
        ...(['left', 'right'] as const).flatMap((align) =>
          [HALO, {}].map((paint) => ({
            transform: [{ filter: `datum.align === '${align}'` }],
            mark: {
              type: 'text' as const,
              align,
              baseline: 'top' as const,
              dx: align === 'left' ? 3 : -3,
              fontSize: 10,
              angle: 0,
              ...paint,
            },
            encoding: {
              x,
              y: { field: 'labelY', type: 'quantitative' as const, scale: null },
              text: { field: 'label' },
              ...(paint === HALO ? {} : { color: colour, description: { field: 'description' } }),
            },
          })),
        ),
      ],
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    // Long titles wrap onto a second line (cut with an ellipsis only past that) rather than widening the picture.
    title: {
      text: wrapTitle(view.title),
      ...(view.subtitle ? { subtitle: view.subtitle } : {}),
      anchor: 'start',
      fontSize: TITLE_SIZE,
      limit: CHART_WIDTH,
      subtitleFontSize: 11,
    },
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    background: 'white',
    config: { font: CHART_FONT, view: { stroke: null }, axis: { labelFontSize: 10, titleFontSize: 11 } },
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
    layer: layers,
  };
}
