// Long ranges through a real Prometheus: the adapter widens the step so a read over weeks stays under 11,000 points.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusMetrics, MAX_POINTS_PER_SERIES } from '../../../src/adapters/prometheus/prometheus-metrics.js';
import type { Series } from '../../../src/investigation/evidence-model.js';
import { startPrometheusWithSeries, type RunningPrometheus } from '../../helpers/prometheus-server.js';

const END = Date.parse('2026-04-03T17:00:00Z');
const DAY = 86_400_000;
// Checkout's error ratio over the last 6 hours, a sample a minute, bad for a while in the middle. The limit applies
// to the range asked for, not to the data held, so a small TSDB is enough (promtool backfills it in a few blocks).
const series: Series[] = [
  {
    metric: { __name__: 'service:http_errors:ratio_rate5m', service: 'checkout' },
    values: Array.from(
      { length: 6 * 60 + 1 },
      (_, i) => [(END - 6 * 3_600_000 + i * 60_000) / 1000, i >= 120 && i < 180 ? '0.2' : '0.001'] as [number, string],
    ),
  },
];

describe('a range query over 30 days at a 15 s step', () => {
  let prometheus: RunningPrometheus | undefined;
  beforeAll(async () => {
    prometheus = await startPrometheusWithSeries(series);
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
  });

  it('is answered (Prometheus refuses more than 11,000 points per series), with at most the adapter limit of points', async () => {
    const metrics = createPrometheusMetrics({
      baseUrl: prometheus!.url,
      roles: { error_ratio: 'service:http_errors:ratio_rate5m{service="{{service}}"}' },
    });
    // 30 days at 15 s would be 172,800 points.
    const got = await metrics.queryRole('error_ratio', 'checkout', { start: END - 30 * DAY, end: END, stepMs: 15_000 });
    expect(got).toHaveLength(1);
    expect(got[0]!.values.length).toBeGreaterThan(50);
    expect(got[0]!.values.length).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES + 1);
    expect(got[0]!.values.some(([, v]) => v === '0.2')).toBe(true);
  });
});
