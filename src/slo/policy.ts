// The error-budget policy, pure: an SLO's state (ship freely, soft-pause, hard-pause) from its budget left and burn,
// and what the deploy gate answers for a deploy of a given risk in that state.
import { formatFactor, formatPercent } from '../investigation/format-value.js';
import type { SloBudgetReading } from './budget-source.js';
import { promDuration } from './prometheus-rules.js';

/** ship_freely: anything ships; soft_pause: risky changes wait; hard_pause: only fixes ship; unknown: no data. */
export type PolicyState = 'ship_freely' | 'soft_pause' | 'hard_pause' | 'unknown';

export const POLICY_STATES: readonly PolicyState[] = ['ship_freely', 'soft_pause', 'hard_pause', 'unknown'];

/** How bad a state is, for picking the worst of a service's SLOs. */
export const STATE_RANK: Record<PolicyState, number> = { unknown: 0, ship_freely: 1, soft_pause: 2, hard_pause: 3 };

/** The thresholds of an SLO's policy (the config's `slos[].policy`). */
export interface PolicyThresholds {
  /** Share of the budget spent (0..1) from which a burn ahead of schedule soft-pauses (default 0.5). */
  softPauseSpent: number;
  /** Window whose burn rate above 1 means "ahead of schedule" (ms, default 1 d). */
  scheduleWindow: number;
  /** Share of the budget spent from which only fixes ship (default 1). */
  hardPauseSpent: number;
  /** false: a spent budget soft-pauses instead of hard-pausing. */
  freezeDeploysWhenExhausted: boolean;
}

export interface PolicyDecision {
  state: PolicyState;
  /** Why, in words people read ("budget exhausted (12% overspent): only fixes ship"). */
  reason: string;
}

const NAMES: Record<PolicyState, string> = {
  ship_freely: 'ship freely',
  soft_pause: 'soft-pause',
  hard_pause: 'hard-pause',
  unknown: 'unknown',
};

/** A state as people read it: "soft-pause". */
export function policyStateName(state: PolicyState): string {
  return NAMES[state];
}

/** The burn rate over the window closest to `windowMs` among the reading's windows (null without data). */
function burnOver(reading: SloBudgetReading, windowMs: number): { rate: number | null; window: string } {
  const best = [...reading.windows].sort(
    (a, b) => Math.abs(a.windowMs - windowMs) - Math.abs(b.windowMs - windowMs),
  )[0];
  return best ? { rate: best.burnRate, window: best.window } : { rate: null, window: promDuration(windowMs) };
}

/**
 * The policy state: hard-pause once `hardPauseSpent` of the budget is spent (soft-pause instead when
 * freezeDeploysWhenExhausted is off); soft-pause once `softPauseSpent` is spent while burning ahead of schedule (the
 * burn rate over `scheduleWindow` above 1); ship freely otherwise; unknown without data.
 */
export function decidePolicyState(reading: SloBudgetReading, t: PolicyThresholds): PolicyDecision {
  if (reading.remaining === null)
    return { state: 'unknown', reason: `no SLI data${reading.error ? ` (${reading.error})` : ''}` };
  // Rounded: 1 - 0.99 is not exactly 0.01, so a budget spent exactly would read as 99.9999…% spent.
  const spent = Math.round((1 - reading.remaining) * 1e9) / 1e9;
  const spentText =
    spent > 1
      ? `budget exhausted (${formatPercent(spent - 1)} overspent)`
      : `${formatPercent(spent)} of the budget spent`;
  if (spent >= t.hardPauseSpent) {
    if (t.freezeDeploysWhenExhausted) return { state: 'hard_pause', reason: `${spentText}: only fixes ship` };
    return { state: 'soft_pause', reason: `${spentText} (deploys are not frozen by this SLO): risky changes wait` };
  }
  const burn = burnOver(reading, t.scheduleWindow);
  if (spent >= t.softPauseSpent && burn.rate !== null && burn.rate > 1)
    return {
      state: 'soft_pause',
      reason: `${spentText}, burning ${formatFactor(burn.rate)} over ${burn.window} (ahead of schedule): risky changes wait`,
    };
  return { state: 'ship_freely', reason: `${spentText}` };
}

/** A deploy's risk as CI states it: a fix ships even in hard-pause. */
export type DeployRisk = 'low' | 'high' | 'fix';

export interface GateAnswer {
  allow: boolean;
  reason: string;
}

/**
 * What the gate answers for a deploy of `risk` in `state`: ship freely and unknown (no data: the gate does not block
 * on its own blindness) allow everything; soft-pause blocks high risk; hard-pause blocks all but fixes.
 */
export function decideDeploy(state: PolicyState, risk: DeployRisk): GateAnswer {
  switch (state) {
    case 'ship_freely':
      return { allow: true, reason: 'error budget healthy: ship freely' };
    case 'unknown':
      return { allow: true, reason: 'error budget unknown (no SLI data): not blocking' };
    case 'soft_pause':
      return risk === 'high'
        ? { allow: false, reason: 'soft-pause: risky changes wait (send risk=low or risk=fix for a safe change)' }
        : { allow: true, reason: `soft-pause: a ${risk === 'fix' ? 'fix' : 'low-risk change'} may ship` };
    case 'hard_pause':
      return risk === 'fix'
        ? { allow: true, reason: 'hard-pause: a fix may ship' }
        : { allow: false, reason: 'hard-pause: only fixes ship (risk=fix)' };
  }
}
