// The error-budget policy: states from budget spent and burn against the config's thresholds, and the gate's answer
// per state and risk.
import { describe, expect, it } from 'vitest';
import { readingFromRatios, type SloBudgetReading } from '../../../src/slo/budget-source.js';
import type { SloSpec } from '../../../src/slo/model.js';
import { decideDeploy, decidePolicyState, type PolicyThresholds } from '../../../src/slo/policy.js';

const DAY = 86_400_000;
const slo = { id: 'checkout-availability', objective: 0.99, periodMs: 30 * DAY } as SloSpec;
const DEFAULTS: PolicyThresholds = {
  softPauseSpent: 0.5,
  scheduleWindow: DAY,
  hardPauseSpent: 1,
  freezeDeploysWhenExhausted: true,
};
const at = new Date('2026-11-24T10:00:00Z');

/** A reading with `spent` of the budget gone and every window burning `burn` times the budget. */
function reading(spent: number | null, burn: number): SloBudgetReading {
  const ratio = spent === null ? null : spent * 0.01;
  return readingFromRatios(slo, at, ratio, Array(7).fill(burn * 0.01));
}

describe('decidePolicyState', () => {
  it('ships freely with budget to spare, whatever the burn', () => {
    expect(decidePolicyState(reading(0.2, 5), DEFAULTS)).toEqual({
      state: 'ship_freely',
      reason: '20% of the budget spent',
    });
  });

  it('soft-pauses at half the budget spent while burning ahead of schedule (1 d burn above 1)', () => {
    const d = decidePolicyState(reading(0.6, 2), DEFAULTS);
    expect(d.state).toBe('soft_pause');
    expect(d.reason).toBe('60% of the budget spent, burning 2× over 1d (ahead of schedule): risky changes wait');
  });

  it('does not soft-pause half spent when the burn is on or behind schedule (the budget is recovering)', () => {
    expect(decidePolicyState(reading(0.6, 1), DEFAULTS).state).toBe('ship_freely');
    expect(decidePolicyState(reading(0.6, 0.2), DEFAULTS).state).toBe('ship_freely');
  });

  it('hard-pauses once the whole budget is spent, and says by how much it is overspent', () => {
    expect(decidePolicyState(reading(1, 0), DEFAULTS).state).toBe('hard_pause');
    expect(decidePolicyState(reading(1.7, 0), DEFAULTS)).toEqual({
      state: 'hard_pause',
      reason: 'budget exhausted (70% overspent): only fixes ship',
    });
  });

  it('follows the configured thresholds', () => {
    const strict = { ...DEFAULTS, softPauseSpent: 0.25, hardPauseSpent: 0.8 };
    expect(decidePolicyState(reading(0.3, 1.5), strict).state).toBe('soft_pause');
    expect(decidePolicyState(reading(0.85, 0), strict).state).toBe('hard_pause');
    expect(decidePolicyState(reading(0.85, 0), DEFAULTS).state).toBe('ship_freely');
  });

  it('only soft-pauses a spent budget when the SLO does not freeze deploys', () => {
    const d = decidePolicyState(reading(1.2, 0), { ...DEFAULTS, freezeDeploysWhenExhausted: false });
    expect(d.state).toBe('soft_pause');
  });

  it('is unknown without SLI data, naming why', () => {
    const r = { ...reading(null, 0), error: 'connect ECONNREFUSED' };
    expect(decidePolicyState(r, DEFAULTS)).toEqual({ state: 'unknown', reason: 'no SLI data (connect ECONNREFUSED)' });
  });
});

describe('decideDeploy', () => {
  const allow = (state: Parameters<typeof decideDeploy>[0], risk: Parameters<typeof decideDeploy>[1]) =>
    decideDeploy(state, risk).allow;

  it('ship freely and unknown allow every risk', () => {
    for (const risk of ['low', 'high', 'fix'] as const) {
      expect(allow('ship_freely', risk)).toBe(true);
      expect(allow('unknown', risk)).toBe(true);
    }
  });

  it('soft-pause blocks high risk only', () => {
    expect(allow('soft_pause', 'high')).toBe(false);
    expect(allow('soft_pause', 'low')).toBe(true);
    expect(allow('soft_pause', 'fix')).toBe(true);
  });

  it('hard-pause blocks everything but a fix', () => {
    expect(allow('hard_pause', 'high')).toBe(false);
    expect(allow('hard_pause', 'low')).toBe(false);
    expect(allow('hard_pause', 'fix')).toBe(true);
    expect(decideDeploy('hard_pause', 'low').reason).toBe('hard-pause: only fixes ship (risk=fix)');
  });
});
