// Charts: a fixed view model renders an SVG with both axes, the unit, the threshold line and the onset marker (read from
// its text and aria labels, not pixels), and the same bytes every time, as SVG and as PNG.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  buildMetricChartView,
  buildVerificationChartView,
  alertThresholdFor,
  saturationThreshold,
  thresholdRule,
  type ChartView,
} from '../../../../src/investigation/chart-view.js';
import { buildSloBurnChartView } from '../../../../src/slo/slo-chart.js';
import type { Series } from '../../../../src/investigation/evidence-model.js';
import { buildChartSpec, niceTicks, timeTicks, wallClockMs } from '../../../../presenters/charts/chart-spec.js';
import { renderChartPng, renderChartSvg } from '../../../../presenters/charts/render-chart.js';

const T0 = Date.UTC(2026, 10, 30, 1, 0, 0) / 1000; // 01:00 UTC = 02:00 in Berlin (CET)

function series(service: string, f: (i: number) => number, n = 60): Series {
  return {
    metric: { __name__: 'service:http_errors:ratio_rate5m', service },
    values: Array.from({ length: n }, (_, i) => [T0 + i * 60, String(f(i))] as [number, string]),
  };
}

const VIEW: ChartView = buildMetricChartView({
  title: 'INC-7: error ratio of checkout around the onset',
  role: 'error_ratio',
  series: [series('checkout', (i) => (i < 30 ? 0.002 : 0.12)), series('payments', () => 0.01)],
  timeZone: 'Europe/Berlin',
  highlight: 'checkout',
  threshold: thresholdRule('error_ratio', 0.05),
  markers: [
    { at: (T0 + 29 * 60) * 1000, label: 'onset 02:29', kind: 'onset' },
    { at: (T0 + 24 * 60) * 1000, label: 'deploy checkout abc1234', kind: 'deploy' },
  ],
});

const ariaLabels = (svg: string) => [...svg.matchAll(/aria-label="([^"]*)"/g)].map((m) => m[1]!);
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
/** The title's lines as drawn (its text or tspans), not its aria-label, which always holds the whole title. */
const titleLines = (svg: string) => {
  const drawn = /role-title-text"[^>]*><text[^>]*>(.*?)<\/text>/.exec(svg)![1]!;
  return drawn.includes('<tspan') ? [...drawn.matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((m) => m[1]!) : [drawn];
};

describe('renderChartSvg', () => {
  it('draws a time axis in the team time zone, a value axis in the unit, the threshold and the markers', async () => {
    const svg = await renderChartSvg(VIEW);
    const aria = ariaLabels(svg);
    expect(aria.find((a) => a.startsWith('X-axis'))).toContain("titled 'time (Europe/Berlin)'");
    expect(aria.find((a) => a.startsWith('Y-axis'))).toContain("titled 'error ratio (%)'");
    expect(aria).toContain('threshold line: threshold 5%');
    expect(aria).toContain('onset marker: onset 02:29');
    expect(aria).toContain('deploy marker: deploy checkout abc1234');
    const t = texts(svg);
    // Tick labels: wall-clock times in Berlin (UTC+1 in November) and values as percent, never raw ratios.
    expect(t).toEqual(expect.arrayContaining(['02:00', '02:15', '02:30', '0%', '5%', '10%', 'threshold 5%']));
    expect(t.some((x) => /^0\.\d+$/.test(x) || /e-\d/.test(x))).toBe(false);
    expect(t).toEqual(expect.arrayContaining(['checkout', 'payments', 'onset 02:29']));
  });

  it('draws the stored golden SVG byte for byte (UPDATE_GOLDEN=1 rewrites it after a deliberate change)', async () => {
    const golden = path.resolve(
      path.dirname(fileURLToPath(import.meta.url)),
      '../../../fixtures/charts/metric-chart.svg',
    );
    const svg = await renderChartSvg(VIEW);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, svg);
    expect(svg).toBe(readFileSync(golden, 'utf8'));
  });

  it('gives the same bytes for the same view, as SVG and as PNG', async () => {
    expect(await renderChartSvg(VIEW)).toBe(await renderChartSvg(VIEW));
    const [a, b] = [await renderChartPng(VIEW), await renderChartPng(VIEW)];
    expect(a.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(a.equals(b)).toBe(true);
  });
});

describe('buildChartSpec', () => {
  it('draws the paged service strong and the other series muted', () => {
    const spec = JSON.stringify(buildChartSpec(VIEW));
    expect(spec).toContain('"domain":["checkout","payments"],"range":["#1f5fbf","#b8a88a"]');
    expect(spec).toContain(`"test":"datum.series === 'checkout'","value":3`);
  });

  it('reads times on the wall clock of the zone, across a daylight-saving change too', () => {
    expect(wallClockMs(Date.UTC(2026, 10, 30, 1, 0), 'Europe/Berlin')).toBe(Date.UTC(2026, 10, 30, 2, 0));
    expect(wallClockMs(Date.UTC(2026, 6, 1, 1, 0), 'Europe/Berlin')).toBe(Date.UTC(2026, 6, 1, 3, 0));
    expect(wallClockMs(Date.UTC(2026, 6, 1, 1, 0), 'America/New_York')).toBe(Date.UTC(2026, 5, 30, 21, 0));
  });

  it('keeps a daylight-saving night in order: the repeated hour is drawn twice, its ticks named by offset', async () => {
    // Berlin falls back at 01:00 UTC on 2026-10-25: 02:00–02:59 happens in CEST (GMT+2), then again in CET (GMT+1).
    const start = Date.UTC(2026, 9, 24, 23, 30) / 1000;
    const view = buildMetricChartView({
      title: 'fall-back night',
      role: 'error_ratio',
      series: [
        {
          metric: { service: 'checkout' },
          values: Array.from({ length: 150 }, (_, i): [number, string] => [start + i * 60, i < 60 ? '0.01' : '0.08']),
        },
      ],
      timeZone: 'Europe/Berlin',
    });
    const svg = await renderChartSvg(view);
    expect(texts(svg)).toEqual(expect.arrayContaining(['02:00 GMT+2', '02:00 GMT+1']));
    // The line's x coordinates only grow: no hour folded back onto the one before it.
    const line = /aria-roledescription="line mark" d="M([^"]+)"/.exec(svg)![1]!;
    const xs = line.split('L').map((p) => Number(p.split(',')[0]));
    expect(xs.length).toBe(150);
    expect(xs.every((x, i) => i === 0 || x > xs[i - 1]!)).toBe(true);
    const fallBack = timeTicks(Date.UTC(2026, 9, 25, 0, 0), Date.UTC(2026, 9, 25, 2, 0), 'Europe/Berlin');
    expect(fallBack.map((t) => t.label)).toEqual([
      '02:00 GMT+2',
      '02:30 GMT+2',
      '02:00 GMT+1',
      '02:30 GMT+1',
      '03:00 GMT+1',
    ]);
    expect(fallBack[2]!.at).toBe(Date.UTC(2026, 9, 25, 1, 0));
    // Spring forward (2026-03-29, 02:00 CET becomes 03:00 CEST): no tick in the hour that does not exist.
    const spring = timeTicks(Date.UTC(2026, 2, 29, 0, 0), Date.UTC(2026, 2, 29, 2, 0), 'Europe/Berlin');
    expect(spring.map((t) => t.label)).toEqual([
      '01:00 GMT+1',
      '01:30 GMT+1',
      '03:00 GMT+2',
      '03:30 GMT+2',
      '04:00 GMT+2',
    ]);
  });

  it('draws an empty chart (no data yet) with its axes and threshold rather than failing', async () => {
    const svg = await renderChartSvg({ ...VIEW, series: [], markers: [] });
    expect(ariaLabels(svg).find((a) => a.startsWith('Y-axis'))).toContain("titled 'error ratio (%)'");
    expect(ariaLabels(svg)).toContain('threshold line: threshold 5%');
  });

  it('shows the date on the time axis when the window spans more than a day', async () => {
    const week = buildMetricChartView({
      title: 'a week of errors',
      role: 'error_ratio',
      series: [
        {
          metric: { __name__: 'x', service: 'checkout' },
          values: Array.from({ length: 8 }, (_, i): [number, string] => [T0 + i * 86_400, '0.01']),
        },
      ],
      timeZone: 'UTC',
    });
    expect(texts(await renderChartSvg(week))).toContain('Dec 01 00:00');
  });

  it('ticks bytes at round binary units and a zero crossed from below at 0', async () => {
    const memory = buildMetricChartView({
      title: 'memory',
      role: 'memory',
      series: [series('catalog', (i) => 1.9e9 + i * 3e7)],
      timeZone: 'UTC',
    });
    const t = texts(await renderChartSvg(memory));
    expect(t).toEqual(expect.arrayContaining(['0 B', '1 GiB', '2 GiB', '3 GiB']));
    expect(t.some((x) => /MiB/.test(x))).toBe(false);
    expect(niceTicks(-0.3, 0.1)).toEqual([-0.3, -0.2, -0.1, 0, 0.1]);
    const below = buildMetricChartView({
      title: 'below zero',
      role: 'error_ratio',
      series: [series('checkout', (i) => -i * 0.005)],
      timeZone: 'UTC',
    });
    expect(texts(await renderChartSvg(below))).toContain('0%');
  });

  it('picks round tick values that cover the data', () => {
    expect(niceTicks(0, 0.13)).toEqual([0, 0.05, 0.1, 0.15]);
    expect(niceTicks(0, 0)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 480)).toEqual([0, 100, 200, 300, 400, 500]);
  });
});

describe('buildMetricChartView', () => {
  it('draws a certificate expiry as days left falling towards the threshold, not as a flat line', () => {
    const expiresAt = T0 + 3 * 86_400;
    const view = buildMetricChartView({
      title: 'cert',
      role: 'cert_expiry',
      series: [series('edge', () => expiresAt, 3)],
      timeZone: 'UTC',
      threshold: { value: 7, label: 'threshold 7 days' },
    });
    expect(view.unit).toBe('days');
    expect(view.axisTitle).toBe('cert expiry (days left)');
    const days = view.series[0]!.points.map(([, v]) => v);
    expect(days[0]).toBe(3);
    expect(days[2]).toBeCloseTo(3 - 2 / 1440, 9);
  });

  it('draws under two days left in hours and minutes, the threshold converted and the unit named once', async () => {
    const expiresAt = T0 + 90 * 60; // 1.5 h after the first point, expired before the last
    const view = buildMetricChartView({
      title: 'cert',
      role: 'cert_expiry',
      series: [series('edge', () => expiresAt, 120)],
      timeZone: 'UTC',
      threshold: thresholdRule('cert_expiry', 0.5),
    });
    expect(view.unit).toBe('seconds');
    expect(view.rule?.value).toBe(0.5 * 86_400);
    // One unit per chart: the threshold reads in the axis's hours, not "0.5 days".
    expect(view.rule?.label).toBe('threshold 12 h');
    expect(view.series[0]!.points[0]![1]).toBe(5400);
    const svg = await renderChartSvg(view);
    const axis = ariaLabels(svg).find((a) => a.startsWith('Y-axis'))!;
    expect(axis).toContain("titled 'cert expiry (time left)'");
    expect(texts(svg)).toEqual(expect.arrayContaining(['2.5 h', '7.5 h']));
    expect(texts(svg).some((t) => / days?$/.test(t) && /^-?0\./.test(t))).toBe(false);
  });

  it('highlights only when several series share the chart', () => {
    const one = buildMetricChartView({
      title: 't',
      role: 'latency_p99',
      series: [series('a', () => 0.2)],
      timeZone: 'UTC',
      highlight: 'a',
    });
    expect(one.series[0]!.highlight).toBeUndefined();
    expect(one.unit).toBe('seconds');
  });
});

describe('SLO burn and verification charts', () => {
  it('draws the SLI against the objective line, the budget in the title', async () => {
    const view = buildSloBurnChartView({
      slo: { name: 'checkout-availability', service: 'checkout', objective: 0.999, sli: 'error_ratio' },
      series: [series('checkout', (i) => (i < 40 ? 0.0004 : 0.012))],
      timeZone: 'UTC',
      budget: { remaining: 0.457, burnRate1h: 14.4 },
    });
    expect(view.title).toBe('SLO checkout-availability (checkout)');
    expect(view.subtitle).toBe('45.7% of budget left, burning 14× over 1 h');
    expect(view.rule).toEqual({ value: 0.0010000000000000009, label: 'objective 99.9%: 0.1% allowed' });
    const svg = await renderChartSvg(view);
    expect(ariaLabels(svg)).toContain('threshold line: objective 99.9%: 0.1% allowed');
    expect(texts(svg)).toContain('45.7% of budget left, burning 14× over 1 h');
    expect(texts(svg)).toEqual(expect.arrayContaining(['01:00', '0%', '0.5%', '1%']));
  });

  it('splits the SLI at the fix, marks it and draws the limit', async () => {
    const points = Array.from({ length: 20 }, (_, i): [number, number] => [(T0 + i * 60) * 1000, i < 10 ? 0.4 : 0.27]);
    const view = buildVerificationChartView({
      title: 'INC-3: p99 latency of search before and after scale_out',
      role: 'latency_p99',
      points,
      appliedAt: (T0 + 10 * 60) * 1000,
      actionLabel: 'scale_out applied',
      limit: 0.3,
      timeZone: 'UTC',
    });
    expect(view.series.map((s) => [s.name, s.points.length])).toEqual([
      ['before', 11],
      ['after', 10],
    ]);
    const svg = await renderChartSvg(view);
    expect(ariaLabels(svg)).toEqual(
      expect.arrayContaining(['threshold line: limit 300 ms', 'remediation marker: scale_out applied']),
    );
    expect(ariaLabels(svg).find((a) => a.startsWith('Y-axis'))).toContain("titled 'p99 latency (ms / s)'");
    expect(texts(svg)).toEqual(expect.arrayContaining(['0 ms', '100 ms', '400 ms']));
  });
});

describe('a verification chart shaped like the certificate scenario', () => {
  it('keeps its width fixed, its long title whole on two lines and the fix label inside the plot', async () => {
    const appliedAt = (T0 + 57 * 60) * 1000; // near the right edge
    const points = Array.from({ length: 60 }, (_, i): [number, number] => [(T0 + i * 60) * 1000, i < 57 ? 0 : 1]);
    const title = 'INC-12: probe success of edge-gateway before and after renew_certificate';
    const view = buildVerificationChartView({
      title,
      role: 'probe_success',
      points,
      appliedAt,
      actionLabel: 'renew_certificate applied by the copilot after approval',
      limit: 0.99,
      timeZone: 'Europe/Berlin',
    });
    const svg = await renderChartSvg(view);
    const width = (s: string) => Number(/<svg[^>]*\swidth="(\d+(?:\.\d+)?)"/.exec(s)![1]);
    const plain = await renderChartSvg({ ...view, markers: [] });
    expect(width(svg)).toBe(width(plain));
    expect(titleLines(svg).join(' ')).toBe(title);
    expect(texts(svg).some((t) => t.includes('…'))).toBe(false);
    // The label is right-aligned at its line: it ends where the marker is.
    expect(svg).toMatch(/text-anchor="end"[^>]*>renew_certificate applied by the copilot after approval</);
  });
});

describe('chart titles', () => {
  it('draws a title whole, wrapped between words, never cut with an ellipsis', async () => {
    const points = Array.from({ length: 20 }, (_, i): [number, number] => [(T0 + i * 60) * 1000, 0.9]);
    for (const title of [
      'INC-1: error ratio of frontend before and after rollback_deploy',
      'INC-12: probe success of edge-gateway before and after renew_certificate',
      'INC-7: SLO checkout-availability (checkout): 25.4% of budget left, burning 53× over 1 h, paid tier only',
    ]) {
      const view = buildVerificationChartView({
        title,
        role: 'error_ratio',
        points,
        appliedAt: (T0 + 600) * 1000,
        actionLabel: 'rollback_deploy applied',
        limit: 0.03,
        timeZone: 'UTC',
      });
      const lines = titleLines(await renderChartSvg(view));
      expect(lines.join(' ')).toBe(title);
      expect(lines.every((l) => !l.includes('…'))).toBe(true);
    }
  });
});

describe('saturationThreshold', () => {
  it('gives CPU the 90% its runbook acts at when the alert names none, labelled as the default, and nothing for roles without a level', async () => {
    expect(saturationThreshold('cpu')).toEqual({ value: 0.9, label: 'saturation 90% (default)' });
    expect(saturationThreshold('error_ratio')).toBeUndefined();
    const view = buildMetricChartView({
      title: 'cpu',
      role: 'cpu',
      series: [series('search', (i) => (i < 30 ? 0.4 : 0.97))],
      timeZone: 'UTC',
      threshold: saturationThreshold('cpu')!,
    });
    expect(ariaLabels(await renderChartSvg(view))).toContain('threshold line: saturation 90% (default)');
  });

  it("draws the alert definition's own threshold for the charted role instead of the default", async () => {
    const page = { annotations: { threshold: '75%', threshold_role: 'cpu' }, labels: {} };
    expect(alertThresholdFor(page, 'cpu')).toBe(0.75);
    expect(alertThresholdFor({ annotations: { threshold: '0.8', threshold_role: 'cpu' } }, 'cpu')).toBe(0.8);
    // About another role, absent, or not a plain number: not this chart's line.
    expect(alertThresholdFor(page, 'error_ratio')).toBeUndefined();
    expect(alertThresholdFor({ annotations: { threshold: '0.8' } }, 'cpu')).toBeUndefined();
    expect(
      alertThresholdFor({ annotations: { threshold: '<!channel>', threshold_role: 'cpu' } }, 'cpu'),
    ).toBeUndefined();
    expect(alertThresholdFor(null, 'cpu')).toBeUndefined();
    expect(saturationThreshold('cpu', 0.75)).toEqual({ value: 0.75, label: 'alert threshold 75%' });
    // A role with no default level still gets the alert's line.
    expect(saturationThreshold('error_ratio', 0.05)).toEqual({ value: 0.05, label: 'alert threshold 5%' });
    const view = buildMetricChartView({
      title: 'cpu',
      role: 'cpu',
      series: [series('search', (i) => (i < 30 ? 0.4 : 0.97))],
      timeZone: 'UTC',
      threshold: saturationThreshold('cpu', alertThresholdFor(page, 'cpu'))!,
    });
    const labels = ariaLabels(await renderChartSvg(view));
    expect(labels).toContain('threshold line: alert threshold 75%');
    expect(labels.some((l) => l.includes('90%'))).toBe(false);
  });
});
