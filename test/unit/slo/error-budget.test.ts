import { describe, expect, it } from 'vitest';
import { parseFileConfig } from '../../../src/config.js';
import type { AppContext } from '../../../src/context.js';
import {
  computeErrorBudget,
  errorBudgetsFor,
  formatBudgetLeft,
  formatObjective,
} from '../../../src/slo/error-budget.js';

const file = parseFileConfig({
  services: [{ name: 'checkout' }],
  slos: [
    { name: 'avail', service: 'checkout', objective: 0.99, window: '1d' },
    { name: 'avail-28d', service: 'checkout', objective: 0.99, window: '28d' },
  ],
});
const slo = file.slos[0]!;
const slo28d = file.slos[1]!;
const now = new Date('2026-11-24T12:00:00Z');

/** One point per hour over `spanHours`: `base` bad share, `recent` at the points of the last `recentHours`. */
function series(base: number, recent: number, recentHours: number, spanHours = 24) {
  const values: [number, string][] = [];
  for (let h = spanHours; h >= 0; h--)
    values.push([now.getTime() / 1000 - h * 3600, String(h <= recentHours ? recent : base)]);
  return [{ metric: { __name__: 'service:http_errors:ratio_rate5m', service: 'checkout' }, values }];
}

describe('computeErrorBudget', () => {
  it('is healthy when errors stay under the objective', () => {
    const b = computeErrorBudget(slo, series(0.002, 0.002, 1), now);
    expect(b.burnRate6h).toBeCloseTo(0.2, 5);
    expect(b.state).toBe('healthy');
    expect(b.remaining).toBeCloseTo(0.8, 5);
    expect(b.burnRate1h).toBeCloseTo(0.2, 5);
    expect(b.policy).toBeNull();
  });
  it('calls a fast burn when the last hour burns 14.4 times the allowed rate', () => {
    const b = computeErrorBudget(slo28d, series(0.001, 0.15, 1, 28 * 24), now);
    expect(b.burnRate1h).toBeCloseTo(15, 5);
    expect(b.state).toBe('fast_burn');
  });
  it('calls a slow burn over six hours', () => {
    const b = computeErrorBudget(slo28d, series(0, 0.07, 6, 28 * 24), now);
    expect(b.burnRate6h).toBeCloseTo(7, 5);
    expect(b.state).toBe('slow_burn');
    expect(b.remaining).toBeCloseTo(1 - (7 * 0.07) / 673 / 0.01, 5);
  });
  it('freezes deploys when the budget is spent', () => {
    const b = computeErrorBudget(slo, series(0.02, 0.02, 1), now);
    expect(b.state).toBe('exhausted');
    expect(b.remaining).toBeCloseTo(-1, 5);
    expect(b.policy).toBe('budget exhausted: deploys are frozen except fixes');
  });
  it('says unknown without data', () => {
    expect(computeErrorBudget(slo, [], now)).toMatchObject({ state: 'unknown', remaining: null, burnRate1h: null });
  });
});

describe('budgets and objectives as people read them', () => {
  it('says an overspent budget is exhausted instead of a negative share left', () => {
    expect(formatBudgetLeft(-1.691)).toBe('budget exhausted (169% overspent)');
    expect(formatBudgetLeft(0)).toBe('budget exhausted');
    expect(formatBudgetLeft(0.3)).toBe('30% of budget left');
    expect(formatBudgetLeft(null)).toBe('unknown (no SLI data)');
  });

  it('keeps every digit of an objective', () => {
    expect(formatObjective(0.999)).toBe('99.9%');
    expect(formatObjective(0.99995)).toBe('99.995%');
  });
});

describe('errorBudgetsFor', () => {
  it('reads a PromQL SLI by its query, scoped, and a metric-role SLI by its role', async () => {
    const config = parseFileConfig({
      services: [{ name: 'checkout' }],
      slos: [
        { name: 'role', service: 'checkout', objective: 0.99 },
        {
          name: 'paid',
          service: 'checkout',
          objective: 0.99,
          period: '7d',
          scope: { selector: { tier: 'paid' } },
          events: {
            bad: 'sum(rate(e{ {{.selector}} }[{{.window}}]))',
            total: 'sum(rate(t{ {{.selector}} }[{{.window}}]))',
          },
        },
      ],
    });
    const calls: string[] = [];
    const points = (v: number) => [
      { metric: {}, values: [[now.getTime() / 1000 - 60, String(v)] as [number, string]] },
    ];
    const metrics = {
      queryRole: async (role: string) => (calls.push(`role ${role}`), points(0.001)),
      queryRange: async (promql: string, range: { stepMs: number }) => (
        calls.push(`${range.stepMs} ${promql}`),
        points(0.005)
      ),
    };
    const ctx = { config: { file: config }, services: { evidence: { metrics } } } as unknown as AppContext;
    const [role, paid] = await errorBudgetsFor(ctx, 'checkout', now);
    expect(role!.burnRate1h).toBeCloseTo(0.1, 9);
    expect(paid!.burnRate1h).toBeCloseTo(0.5, 9);
    expect(calls).toContain('60000 (sum(rate(e{ tier="paid" }[1m])))\n/\n(sum(rate(t{ tier="paid" }[1m])))');
    expect(calls.filter((c) => c.startsWith('role'))).toEqual(['role error_ratio', 'role error_ratio']);
  });
});
