// The budget port: read from the metrics source (a role's series averaged per window, or PromQL per window), or from a
// fresh stored evaluation, falling back to the metrics when the evaluation is stale or has no data.
import { describe, expect, it } from 'vitest';
import {
  createEvaluationsBudgetSource,
  createMetricsBudgetSource,
  type BudgetSource,
} from '../../../src/slo/budget-source.js';
import type { MetricsSource, TimeRange } from '../../../src/investigation/ports.js';
import type { SloSpec } from '../../../src/slo/model.js';

const MIN = 60_000;
const DAY = 86_400_000;
const now = new Date('2026-11-24T10:00:00Z');
const slo: SloSpec = {
  id: 'checkout-availability',
  name: 'availability',
  service: 'checkout',
  objective: 0.99,
  periodMs: 3 * DAY,
  sli: { kind: 'error-ratio', errorRatio: 'avg_over_time(err{service="checkout"}[{{.window}}])' },
  scope: { selector: {} },
  labels: {},
  alerting: {
    name: 'X',
    labels: {},
    annotations: {},
    page: { disabled: false, severity: 'sev2', labels: {}, annotations: {} },
    ticket: { disabled: false, severity: 'sev3', labels: {}, annotations: {} },
  },
  source: 'config',
};

/** A role whose value is 5% in the last hour and 0.1% before. */
function roleMetrics(): MetricsSource & { ranges: TimeRange[] } {
  const ranges: TimeRange[] = [];
  return {
    ranges,
    async queryRole(_role, _service, range) {
      ranges.push(range);
      const values: [number, string][] = [];
      for (let t = range.start + range.stepMs; t <= range.end; t += range.stepMs)
        values.push([t / 1000, t > now.getTime() - 60 * MIN ? '0.05' : '0.001']);
      return [{ metric: {}, values }];
    },
    async queryRange() {
      throw new Error('not used');
    },
  };
}

describe('createMetricsBudgetSource', () => {
  it("averages a role's series per window: a burn in the last hour shows in the short windows only", async () => {
    const metrics = roleMetrics();
    const source = createMetricsBudgetSource(metrics, { roleOf: () => ({ role: 'error_ratio', query: '' }) });
    const r = await source.read(slo, now);
    const burn = Object.fromEntries(r.windows.map((w) => [w.window, w.burnRate]));
    expect(burn['5m']).toBeCloseTo(5);
    expect(burn['1h']).toBeCloseTo(5);
    expect(burn['6h']).toBeCloseTo((5 + 5 * 0.1) / 6, 1);
    expect(r.remaining).toBeGreaterThan(0.8);
    expect(r.remaining).toBeLessThan(0.95);
    expect(r.source).toBe('metrics');
    expect(metrics.ranges[0]!.end - metrics.ranges[0]!.start).toBe(3 * DAY);
  });

  it('a few minutes of a fierce burn move a 28-day budget by their own weight, not by an hour of it', async () => {
    // 60× the budget's pace for the last 5 minutes, 0.1× before: 0.1 + 60 × 5 min / 28 d ≈ 10.7% of the budget spent.
    const metrics: MetricsSource = {
      async queryRole(_role, _service, range) {
        const values: [number, string][] = [];
        for (let t = range.start + range.stepMs; t <= range.end; t += range.stepMs)
          values.push([t / 1000, t > now.getTime() - 5 * MIN ? '0.6' : '0.001']);
        return [{ metric: {}, values }];
      },
      async queryRange() {
        throw new Error('not used');
      },
    };
    const source = createMetricsBudgetSource(metrics, { roleOf: () => ({ role: 'error_ratio', query: '' }) });
    const r = await source.read({ ...slo, periodMs: 28 * DAY }, now);
    expect(1 - r.remaining!).toBeCloseTo(0.1 + (60 * 5 * MIN) / (28 * DAY), 2);
  });

  it('evaluates PromQL at now with each window filled in', async () => {
    const asked: string[] = [];
    const metrics: MetricsSource = {
      async queryRole() {
        throw new Error('not used');
      },
      async queryRange(q) {
        asked.push(q);
        return [{ metric: {}, values: [[now.getTime() / 1000, q.includes('[5m]') ? '0.2' : '0.002']] }];
      },
    };
    const r = await createMetricsBudgetSource(metrics).read(slo, now);
    expect(asked.some((q) => q.includes('[3d]'))).toBe(true);
    expect(r.windows.find((w) => w.window === '5m')!.burnRate).toBeCloseTo(20);
    expect(r.remaining).toBeCloseTo(0.8);
  });

  it('carries the error and no figures when the source fails or is missing', async () => {
    const failing: MetricsSource = {
      queryRole: () => Promise.reject(new Error('prometheus down')),
      queryRange: () => Promise.reject(new Error('prometheus down')),
    };
    expect(await createMetricsBudgetSource(failing).read(slo, now)).toMatchObject({
      remaining: null,
      error: 'prometheus down',
    });
    expect((await createMetricsBudgetSource(undefined).read(slo, now)).error).toContain('no metrics source');
  });
});

describe('createEvaluationsBudgetSource', () => {
  const fallback: BudgetSource = {
    read: async (s, at) => ({ sloId: s.id, remaining: 0.42, windows: [], at, source: 'metrics' }),
  };
  const windows = [{ window: '1h', windowMs: 3_600_000, errorRatio: 0.02, burnRate: 2 }];

  it('reads a fresh stored evaluation', async () => {
    const src = createEvaluationsBudgetSource(
      async () => ({ evaluatedAt: new Date(now.getTime() - MIN), budgetRemaining: 0.9, windows }),
      fallback,
      5 * MIN,
    );
    expect(await src.read(slo, now)).toMatchObject({ remaining: 0.9, windows, source: 'evaluations' });
  });

  it('falls back to the metrics for a stale evaluation, one without data, or none', async () => {
    for (const latest of [
      async () => ({ evaluatedAt: new Date(now.getTime() - 10 * MIN), budgetRemaining: 0.9, windows }),
      async () => ({ evaluatedAt: now, budgetRemaining: null, windows }),
      async () => undefined,
    ]) {
      const src = createEvaluationsBudgetSource(latest, fallback, 5 * MIN);
      expect(await src.read(slo, now)).toMatchObject({ remaining: 0.42, source: 'metrics' });
    }
  });
});
