// "A chart of X" against a REAL Prometheus holding a scenario's series: the metric read through the Prometheus adapter,
// in its role's unit, the service's deploys marked, drawn to an SVG whose labels say so and to a PNG.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { chartOfMetric } from '../../../presenters/charts/chart-of-metric.js';
import { renderChartSvg } from '../../../presenters/charts/render-chart.js';
import { createPrometheusMetrics } from '../../../src/adapters/prometheus/prometheus-metrics.js';
import { DEFAULT_METRIC_ROLES } from '../../../src/config.js';
import type { AppContext } from '../../../src/context.js';
import { createScenarioSources } from '../../../eval/scenario-sources.js';
import type { Scenario } from '../../../eval/scenario-format.js';
import { loadScenario } from '../../helpers/fixtures.js';
import { startPrometheusWithSeries, type RunningPrometheus } from '../../helpers/prometheus-server.js';

const scenarios = [loadScenario('bad-deploy-shop-01'), loadScenario('certificate-expiry-shop-01')];
let running: RunningPrometheus | undefined;
let startError: unknown;

beforeAll(async () => {
  // Both scenarios in one Prometheus: their times are months apart, so their series never overlap.
  try {
    running = await startPrometheusWithSeries(scenarios.flatMap((s) => s.metrics));
  } catch (err) {
    startError = err;
  }
});
afterAll(async () => {
  await running?.stop();
});

function contextFor(scenario: Scenario): AppContext {
  if (!running) throw startError;
  return {
    config: {
      file: {
        metrics: { roles: DEFAULT_METRIC_ROLES, step: 60_000 },
        slos: [
          {
            name: 'search-availability',
            service: 'search',
            sli: 'error_ratio',
            objective: 0.99,
            policy: { slowBurnRate: 6 },
          },
        ],
        teams: [],
      },
    },
    services: {
      evidence: {
        metrics: createPrometheusMetrics({ baseUrl: running.url, roles: DEFAULT_METRIC_ROLES }),
        changes: createScenarioSources(scenario).changes,
      },
    },
    logger: pino({ level: 'silent' }),
  } as unknown as AppContext;
}

const ariaLabels = (svg: string) => [...svg.matchAll(/aria-label="([^"]*)"/g)].map((m) => m[1]!);

describe('chartOfMetric through a real Prometheus', () => {
  it("charts a role of a service in its unit, with the service's deploys and its SLO paging level", async () => {
    const scenario = scenarios[0]!;
    const now = Date.parse(scenario.now);
    const chart = await chartOfMetric(contextFor(scenario), {
      service: 'search',
      role: 'error_ratio',
      start: now - 75 * 60_000,
      end: now,
      timeZone: 'Europe/Berlin',
      prefix: 'INC-9',
      caption: 'around the onset',
      markers: [{ at: now - 25 * 60_000, label: 'onset', kind: 'onset' }],
    });
    expect(chart).toBeDefined();
    expect(chart!.view).toMatchObject({ title: 'INC-9: error ratio of search around the onset', unit: 'ratio' });
    expect(chart!.view.series.map((s) => s.name)).toEqual(['search']);
    expect(chart!.view.series[0]!.points.length).toBeGreaterThan(70);
    expect(chart!.view.rule).toEqual({ value: 0.06000000000000005, label: 'SLO paging level 6%' });
    expect(chart!.view.markers.map((m) => m.label)).toEqual([
      'deploy deploy-2596 (search)',
      'deploy deploy-8149 (search)',
      'onset',
    ]);
    const aria = ariaLabels(await renderChartSvg(chart!.view));
    expect(aria.find((a) => a.startsWith('X-axis'))).toContain('time (Europe/Berlin)');
    expect(aria).toContain('deploy marker: deploy deploy-8149 (search)');
    expect(chart!.png.subarray(1, 4).toString('ascii')).toBe('PNG');
  });

  it('finds the unit of a query that is a configured role', async () => {
    const scenario = scenarios[0]!;
    const now = Date.parse(scenario.now);
    const chart = await chartOfMetric(contextFor(scenario), {
      service: 'search',
      query: DEFAULT_METRIC_ROLES.latency_p99!.replace('{{service}}', 'search'),
      start: now - 60 * 60_000,
      end: now,
      timeZone: 'UTC',
    });
    expect(chart!.view).toMatchObject({ metric: 'p99 latency', unit: 'seconds' });
  });

  it("draws a certificate's expiry as time left, falling, in hours and minutes when under two days", async () => {
    const scenario = scenarios[1]!;
    const now = Date.parse(scenario.now);
    const chart = await chartOfMetric(contextFor(scenario), {
      service: 'frontend',
      role: 'cert_expiry',
      start: now - 60 * 60_000,
      end: now,
      timeZone: 'UTC',
    });
    // The scenario's certificate expires within the hour: "0.06 days … -0.02 days" read badly, so the axis is in
    // seconds formatted as h/min, and the axis title names the unit once.
    expect(chart!.view).toMatchObject({ metric: 'cert expiry', unit: 'seconds', axisTitle: 'cert expiry (time left)' });
    const left = chart!.view.series[0]!.points.map(([, v]) => v);
    expect(left[0]).toBeGreaterThan(left[left.length - 1]!);
    expect(Math.abs(left[0]!)).toBeLessThan(2 * 86_400);
  });
});
