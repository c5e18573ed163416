// The error budget as the briefing shows it: per SLO of the incident's service, its policy state, budget left and
// the burn of each window pair, from the last recorded policy check (the briefing never waits on Prometheus).
import type { Knex } from 'knex';
import { formatFactor } from '../investigation/format-value.js';
import { burnWindowPairs } from './burn-math.js';
import { formatBudgetLeft } from './error-budget.js';
import { policyStateName } from './policy.js';
import { listPolicyStates } from './policy-repository.js';
import { promDuration } from './prometheus-rules.js';

/**
 * One line per SLO of `service` with a recorded check: "checkout-availability: hard-pause, budget exhausted (70%
 * overspent); burn 1h/5m 15×/16×, 6h/30m 4×/9.8×, 1d/2h 1.2×/3×, 3d/6h 0.4×/1.1×". Empty when none is recorded.
 */
export async function briefingBudgetLines(
  knex: Knex,
  service: string | null,
  periodMsOf: (sloId: string) => number | undefined,
): Promise<string[]> {
  if (!service) return [];
  const states = await listPolicyStates(knex, service);
  return states.flatMap((s) => {
    const periodMs = periodMsOf(s.sloId);
    if (periodMs === undefined) return [];
    const rate = (ms: number) => {
      const r = s.windows.find((w) => w.windowMs === ms)?.burnRate;
      return r === null || r === undefined ? '–' : formatFactor(r);
    };
    const pairs = burnWindowPairs(periodMs).map(
      (p) => `${promDuration(p.longMs)}/${promDuration(p.shortMs)} ${rate(p.longMs)}/${rate(p.shortMs)}`,
    );
    return [`${s.sloId}: ${policyStateName(s.state)}, ${formatBudgetLeft(s.remaining)}; burn ${pairs.join(', ')}`];
  });
}
