// What `/slo` and the policy-change post show, formatted once here (blocks/ shows it as given).
import { formatFactor } from '../investigation/format-value.js';
import { burnWindowPairs } from './burn-math.js';
import { formatBudgetLeft, formatObjective } from './error-budget.js';
import { policyStateName, type PolicyState } from './policy.js';
import type { SloPolicyStatus } from './policy-service.js';
import { promDuration } from './prometheus-rules.js';

/** One window pair's burn: "1h/5m: 15× and 16× (pages above 14.4×)". */
export interface BurnPairView {
  severity: 'page' | 'ticket';
  /** "1h/5m" */
  windows: string;
  long: string;
  short: string;
  threshold: string;
  firing: boolean;
}

export interface SloStatusView {
  slo: string;
  service: string;
  objective: string;
  state: PolicyState;
  /** "hard-pause" */
  stateName: string;
  reason: string;
  budgetLeft: string;
  pairs: BurnPairView[];
  stale: boolean;
}

export function sloStatusView(s: SloPolicyStatus): SloStatusView {
  const rate = (ms: number) => s.reading.windows.find((w) => w.windowMs === ms)?.burnRate ?? null;
  const fmt = (x: number | null) => (x === null ? 'no data' : formatFactor(x));
  return {
    slo: s.slo.id,
    service: s.slo.service,
    objective: formatObjective(s.slo.objective),
    state: s.state,
    stateName: policyStateName(s.state),
    reason: s.reason,
    budgetLeft: formatBudgetLeft(s.reading.remaining),
    pairs: burnWindowPairs(s.slo.periodMs).map((p) => {
      const long = rate(p.longMs);
      const short = rate(p.shortMs);
      return {
        severity: p.severity,
        windows: `${promDuration(p.longMs)}/${promDuration(p.shortMs)}`,
        long: fmt(long),
        short: fmt(short),
        threshold: formatFactor(p.factor),
        firing: long !== null && short !== null && long > p.factor && short > p.factor,
      };
    }),
    stale: s.stale,
  };
}

/** A change of state as posted in the team's channel. */
export interface PolicyChangeView {
  slo: string;
  service: string;
  from: string | null;
  to: string;
  toState: PolicyState;
  reason: string;
  budgetLeft: string;
}
