// The error budget an incident spent: per SLO of its service, the share of the period's budget that the SLI's bad
// events between the incident's opening and its resolve used up (mean bad share × duration ÷ (budget × period)).
import type { AppContext } from '../context.js';
import type { Series } from '../investigation/evidence-model.js';
import { errorBudgetOf } from './burn-math.js';
import { roleReader } from './budget-source.js';
import { errorRatioQuery } from './model.js';
import { sloSpecs } from './policy-service.js';
import { promDuration } from './prometheus-rules.js';

export interface BudgetSpent {
  slo: string;
  /** Share of the period's budget (0.12 for 12%). */
  spent: number;
  /** "30d" */
  period: string;
}

function mean(series: Series[]): number | null {
  let sum = 0;
  let n = 0;
  for (const s of series)
    for (const [, v] of s.values) {
      const x = Number(v);
      if (Number.isFinite(x)) {
        sum += x;
        n += 1;
      }
    }
  return n ? sum / n : null;
}

/**
 * The budget each SLO of `service` spent in [from, to], read from the metrics source; SLOs without data are left out.
 * Throws when the metrics source fails (the caller decides whether it matters).
 */
export async function budgetSpentDuring(
  ctx: AppContext,
  service: string,
  from: Date,
  to: Date,
): Promise<BudgetSpent[]> {
  const metrics = ctx.services.evidence.metrics;
  const durationMs = to.getTime() - from.getTime();
  if (!metrics || durationMs <= 0) return [];
  const roleOf = roleReader(ctx.config.file);
  const out: BudgetSpent[] = [];
  for (const { spec } of sloSpecs(ctx, service)) {
    const stepMs = Math.max(60_000, Math.ceil(durationMs / 500 / 60_000) * 60_000);
    const range = { start: from.getTime(), end: to.getTime(), stepMs };
    const role = roleOf(spec);
    const series = role
      ? await metrics.queryRole(role.role, service, range)
      : await metrics.queryRange(errorRatioQuery(spec, promDuration(stepMs)), range);
    const ratio = mean(series);
    if (ratio === null) continue;
    out.push({
      slo: spec.id,
      spent: (ratio * durationMs) / (errorBudgetOf(spec.objective) * spec.periodMs),
      period: promDuration(spec.periodMs),
    });
  }
  return out;
}
