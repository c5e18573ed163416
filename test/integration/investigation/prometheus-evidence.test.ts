// The Prometheus adapter against a REAL Prometheus holding a scenario's series: same investigation answer as the scenario.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusMetrics } from '../../../src/adapters/prometheus/prometheus-metrics.js';
import { DEFAULT_METRIC_ROLES } from '../../../src/config.js';
import { pageSummaryFromScenario } from '../../../eval/scenario-format.js';
import { metricKey } from '../../../src/investigation/agent/evidence-ledger.js';
import type { EvidenceSources } from '../../../src/investigation/ports.js';
import { createRecorder } from '../../../src/investigation/recorder.js';
import { runInvestigation } from '../../../src/investigation/run-investigation.js';
import type { Series } from '../../../src/investigation/evidence-model.js';
import { createScenarioSources } from '../../../eval/scenario-sources.js';
import { loadScenario, scenarioIds } from '../../helpers/fixtures.js';
import { startPrometheusWithSeries, type RunningPrometheus } from '../../helpers/prometheus-server.js';

/** Series compared by value: Prometheus answers labels sorted and numbers reformatted, the scenario as written. */
const byValue = (series: Series[]) =>
  series
    .map((s) => ({ selector: metricKey(seriesSelectorOf(s)), values: s.values.map(([t, v]) => [t, Number(v)]) }))
    .sort((a, b) => a.selector.localeCompare(b.selector));
const seriesSelectorOf = (s: Series) =>
  `${s.metric.__name__}{${Object.entries(s.metric)
    .filter(([k]) => k !== '__name__')
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;

/** The answer with every series selector in it (refs, anomalies, summaries) in one label order: Prometheus sorts labels. */
function canonical<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/[a-zA-Z_:][\w:]*\{[^{}]*\}/g, (sel) => metricKey(sel)) as T;
  if (Array.isArray(value)) return value.map((v) => canonical(v)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonical(v)])) as T;
  return value;
}

for (const id of scenarioIds()) {
  describe(`investigating ${id} through a real Prometheus`, () => {
    const scenario = loadScenario(id);
    let running: RunningPrometheus | undefined;
    let startError: unknown;
    // A start failure (no prometheus binary, say) fails every test below by name instead of skipping them.
    beforeAll(async () => {
      try {
        running = await startPrometheusWithSeries(scenario.metrics);
      } catch (err) {
        startError = err;
      }
    });
    const prometheus = (): RunningPrometheus => {
      if (!running) throw startError;
      return running;
    };
    afterAll(async () => {
      await running?.stop();
    });

    it('reads back the same series the scenario holds, for every role of every service', async () => {
      const now = Date.parse(scenario.now);
      const range = { start: now - 3 * 3_600_000, end: now, stepMs: 60_000 };
      const metrics = createPrometheusMetrics({ baseUrl: prometheus().url, roles: DEFAULT_METRIC_ROLES });
      const fromScenario = createScenarioSources(scenario).metrics!;
      let compared = 0;
      for (const service of scenario.services) {
        for (const role of Object.keys(DEFAULT_METRIC_ROLES)) {
          const expected = byValue(await fromScenario.queryRole(role, service.name, range));
          expect({
            role,
            service: service.name,
            series: byValue(await metrics.queryRole(role, service.name, range)),
          }).toEqual({ role, service: service.name, series: expected });
          compared += expected.length;
        }
      }
      expect(compared).toBeGreaterThan(0);
    });

    it('gives the same answer as the scenario adapter', async () => {
      const page = pageSummaryFromScenario(scenario);
      const now = Date.parse(scenario.now);
      const scenarioSources = createScenarioSources(scenario);
      const realSources: EvidenceSources = {
        ...scenarioSources,
        metrics: createPrometheusMetrics({ baseUrl: prometheus().url, roles: DEFAULT_METRIC_ROLES }),
      };
      const recorder = createRecorder();
      const expected = await runInvestigation({ page, sources: scenarioSources, now });
      const actual = await runInvestigation({ page, sources: realSources, now, record: recorder.record });
      expect(canonical(actual)).toEqual(canonical(expected));
      expect(actual.missing ?? []).toEqual([]);
      // No query failed against the real server.
      expect(recorder.steps.filter((s) => s.attributes['error.type'] !== undefined)).toEqual([]);
    });
  });
}

describe('investigating with Prometheus down', () => {
  it('still answers, and says the metrics could not be read', async () => {
    const scenario = loadScenario('bad-deploy-shop-01');
    // A port nothing listens on: connection refused.
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const sources: EvidenceSources = {
      ...createScenarioSources(scenario),
      metrics: createPrometheusMetrics({
        baseUrl: `http://127.0.0.1:${port}`,
        roles: DEFAULT_METRIC_ROLES,
        timeoutMs: 2_000,
      }),
    };
    const recorder = createRecorder();
    const started = Date.now();
    const result = await runInvestigation({
      page: pageSummaryFromScenario(scenario),
      sources,
      now: Date.parse(scenario.now),
      record: recorder.record,
    });
    expect(result.missing).toEqual([expect.stringMatching(/^metrics: prometheus: unreachable: /)]);
    // One failed query, then the source is not asked again.
    expect(recorder.steps.filter((s) => s.attributes['error.type'] !== undefined)).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
