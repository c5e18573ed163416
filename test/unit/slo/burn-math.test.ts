import { describe, expect, it } from 'vitest';
import {
  budgetConsumed,
  budgetRemaining,
  burnRate,
  burnRateFor,
  burnWindowPairs,
  errorBudgetOf,
  pairFires,
  timeToExhaustion,
} from '../../../src/slo/burn-math.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('burn math', () => {
  it('reads a burn rate from the bad share and the objective', () => {
    expect(errorBudgetOf(0.999)).toBeCloseTo(0.001, 12);
    expect(burnRate(0.0144, 0.999)).toBeCloseTo(14.4, 9);
    expect(burnRate(0.001, 0.999)).toBeCloseTo(1, 9);
    expect(() => errorBudgetOf(1)).toThrow(/between 0 and 1/);
  });

  it("matches the SRE workbook's table for a 30 d period", () => {
    const pairs = burnWindowPairs(30 * DAY);
    expect(pairs.map((p) => [p.severity, p.longMs / 60_000, p.shortMs / 60_000, Number(p.factor.toFixed(4))])).toEqual([
      ['page', 60, 5, 14.4],
      ['page', 360, 30, 6],
      ['ticket', 1440, 120, 3],
      ['ticket', 4320, 360, 1],
    ]);
    // And back: each factor spends the table's share of the budget in its long window.
    expect(budgetConsumed(14.4, HOUR, 30 * DAY)).toBeCloseTo(0.02, 12);
    expect(budgetConsumed(6, 6 * HOUR, 30 * DAY)).toBeCloseTo(0.05, 12);
    expect(budgetConsumed(3, DAY, 30 * DAY)).toBeCloseTo(0.1, 12);
    expect(budgetConsumed(1, 3 * DAY, 30 * DAY)).toBeCloseTo(0.1, 12);
  });

  it('scales the factors to a 28 d and a 7 d period, keeping the budget shares', () => {
    expect(burnWindowPairs(28 * DAY).map((p) => Number(p.factor.toFixed(4)))).toEqual([13.44, 5.6, 2.8, 0.9333]);
    expect(burnWindowPairs(7 * DAY).map((p) => Number(p.factor.toFixed(4)))).toEqual([3.36, 1.4, 0.7, 0.2333]);
    for (const period of [7 * DAY, 28 * DAY])
      expect(burnWindowPairs(period).map((p) => budgetConsumed(p.factor, p.longMs, period))).toEqual(
        [0.02, 0.05, 0.1, 0.1].map((x) => expect.closeTo(x, 12)),
      );
    expect(burnRateFor(0.02, HOUR, 28 * DAY)).toBeCloseTo(13.44, 9);
  });

  it('fires a pair only when both windows burn past the threshold', () => {
    const [page] = burnWindowPairs(30 * DAY);
    // 14.4 × 0.001 = 1.44% bad
    expect(pairFires(page!, 0.999, 0.015, 0.2)).toBe(true);
    expect(pairFires(page!, 0.999, 0.01, 0.2)).toBe(false); // a blip: short window hot, long window not
    expect(pairFires(page!, 0.999, 0.02, 0.001)).toBe(false); // over: the short window has recovered
  });

  it('gives budget remaining and time to exhaustion', () => {
    expect(budgetRemaining(0.0005, 0.999)).toBeCloseTo(0.5, 9);
    expect(budgetRemaining(0.002, 0.999)).toBeCloseTo(-1, 9);
    // Half the budget left at 14.4× lasts half of 30 d / 14.4 = 25 h.
    expect(timeToExhaustion(0.5, 14.4, 30 * DAY)).toBeCloseTo(25 * HOUR, 3);
    expect(timeToExhaustion(1, 1, 30 * DAY)).toBe(30 * DAY);
    expect(timeToExhaustion(-0.1, 3, 30 * DAY)).toBe(0);
    expect(timeToExhaustion(0.7, 0, 30 * DAY)).toBeNull();
  });
});
