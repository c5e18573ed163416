import { describe, expect, it } from 'vitest';
import { scoreShadow } from '../../../src/measure/score.js';
import { judgeFastBurn } from '../../../src/remediation/verification.js';

describe('scoring a shadow decision at resolve', () => {
  const revert = { action: 'revert_change', service: 'checkout', category: 'config_change' };
  const confirmed = { category: 'config_change', service: 'checkout', cause: 'flag-1' };

  it('is right when the confirmed cause is the one it acted on and the action that fixed it is the one it would have run', () => {
    expect(scoreShadow(revert, confirmed, { action: 'revert_change', service: 'checkout' })).toEqual({
      right: true,
      outcome: 'confirmed config_change on checkout; fixed by revert_change on checkout',
    });
    expect(scoreShadow(revert, confirmed, null)).toEqual({
      right: true,
      outcome: 'confirmed config_change on checkout; no verified fix',
    });
    expect(scoreShadow(revert, { ...confirmed, service: null }, null).right).toBe(true);
  });

  it('is wrong on another category or service, or when another action was the fix', () => {
    expect(scoreShadow(revert, { ...confirmed, category: 'bad_deploy' }, null).right).toBe(false);
    expect(scoreShadow(revert, { ...confirmed, service: 'search' }, null).right).toBe(false);
    expect(scoreShadow(revert, confirmed, { action: 'rollback_deploy', service: 'checkout' })).toEqual({
      right: false,
      outcome: 'confirmed config_change on checkout; fixed by rollback_deploy on checkout',
    });
  });

  it('is unknown when nobody confirmed a root cause', () => {
    expect(scoreShadow(revert, { category: 'unknown', service: null, cause: null }, null)).toEqual({
      right: null,
      outcome: 'no confirmed root cause',
    });
  });
});

describe('a fast burn after an action', () => {
  const at = (after: number[], atAction = [0.1]) =>
    judgeFastBurn({ role: 'error_ratio', after, atAction, fastLimit: 0.072 });
  it('is an SLI above the fast-burn level at every reading since the action and worse than when it started', () => {
    expect(at([0.2, 0.3]).burning).toBe(true);
    expect(at([0.2, 0.3]).detail).toContain("above the SLO's fast-burn level");
  });
  it('is not a slow recovery, a single reading, a dip below the level, or an SLI without an SLO', () => {
    expect(at([0.09, 0.08]).burning).toBe(false);
    expect(at([0.3]).burning).toBe(false);
    expect(at([0.05, 0.3]).burning).toBe(false);
    expect(at([0.2, 0.3], []).burning).toBe(false);
    expect(
      judgeFastBurn({ role: 'error_ratio', after: [0.2, 0.3], atAction: [0.1], fastLimit: undefined }).burning,
    ).toBe(false);
  });
});
