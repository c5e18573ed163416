// Chart rendering speed: a briefing's chart (three services over two hours at one point a minute, a threshold and
// three markers) from view model to SVG (vega) and to PNG (resvg); prints median, p95 and max milliseconds and the size.
import { buildMetricChartView, thresholdRule } from '../src/investigation/chart-view.js';
import type { Series } from '../src/investigation/evidence-model.js';
import { renderChartSvg, svgToPng } from '../presenters/charts/render-chart.js';

const T0 = Date.UTC(2026, 10, 30, 1, 0) / 1000;

function series(service: string, level: number, riseAt: number): Series {
  return {
    metric: { __name__: 'service:http_errors:ratio_rate5m', service },
    values: Array.from({ length: 120 }, (_, i): [number, string] => [
      T0 + i * 60,
      String(i < riseAt ? level : level * 20 + ((i * 7919) % 13) / 1000),
    ]),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/** Renders the same chart `runs` times (after two warm-up renders) and prints the SVG and PNG times. */
export async function benchCharts(runs = 30): Promise<void> {
  const view = buildMetricChartView({
    title: 'INC-42: error ratio of checkout around the onset',
    role: 'error_ratio',
    series: [series('checkout', 0.002, 70), series('payments', 0.001, 200), series('search', 0.004, 200)],
    timeZone: 'Europe/Berlin',
    highlight: 'checkout',
    threshold: thresholdRule('error_ratio', 0.05, 'SLO paging level'),
    markers: [
      { at: (T0 + 66 * 60) * 1000, label: 'deploy checkout 1a2b3c4', kind: 'deploy' },
      { at: (T0 + 68 * 60) * 1000, label: 'feature flag checkout', kind: 'change' },
      { at: (T0 + 70 * 60) * 1000, label: 'onset 03:10', kind: 'onset' },
    ],
  });
  for (let i = 0; i < 2; i++) await svgToPng(await renderChartSvg(view));
  const svgMs: number[] = [];
  const pngMs: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const svg = await renderChartSvg(view);
    const t1 = performance.now();
    bytes = (await svgToPng(svg)).length;
    pngMs.push(performance.now() - t1);
    svgMs.push(t1 - t0);
  }
  const line = (label: string, ms: number[]) => {
    ms.sort((a, b) => a - b);
    const f = (n: number) => n.toFixed(1).padStart(6);
    console.log(
      `${label.padEnd(34)} n=${String(ms.length).padStart(4)}  median ${f(percentile(ms, 0.5))} ms  p95 ${f(percentile(ms, 0.95))} ms  max ${f(ms.at(-1) ?? 0)} ms`,
    );
  };
  line('view model -> SVG (vega)', svgMs);
  line('SVG -> PNG (resvg, 2x)', pngMs);
  console.log(
    `PNG size ${(bytes / 1024).toFixed(0)} KiB; target: under 250 ms per chart, so a briefing never waits on it`,
  );
}
