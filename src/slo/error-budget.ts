// SLO error-budget policy: remaining budget and burn rates per SLO, from the SLI's bad-share series in the metrics source.
import type { SloDef } from '../config.js';
import type { AppContext } from '../context.js';
import type { Series } from '../investigation/evidence-model.js';
import { formatFactor, formatPercent, humanNumber } from '../investigation/format-value.js';
import type { TimeRange } from '../investigation/ports.js';
import { budgetRemaining, burnRate } from './burn-math.js';
import { errorRatioQuery, specsFromConfig } from './model.js';
import { promDuration } from './prometheus-rules.js';

export type BudgetState = 'healthy' | 'slow_burn' | 'fast_burn' | 'exhausted' | 'unknown';

/** One SLO's budget as the policy sees it. Burn rate 1 spends exactly the budget over the SLO window. */
export interface ErrorBudget {
  slo: string;
  service: string;
  objective: number;
  windowMs: number;
  /** Share of the window's budget left (negative when overspent); null without data. */
  remaining: number | null;
  burnRate1h: number | null;
  burnRate6h: number | null;
  state: BudgetState;
  /** The policy's consequence, in words (e.g. deploys frozen). */
  policy: string | null;
}

/**
 * Mean of the points in [from, to] over all series (each point is the bad share over its step); with
 * `fromInclusive: false`, of the points in (from, to].
 */
export function meanBetween(series: Series[], from: number, to: number, fromInclusive = true): number | null {
  let sum = 0;
  let n = 0;
  for (const s of series)
    for (const [t, v] of s.values) {
      const ms = t * 1000;
      const x = Number(v);
      if ((fromInclusive ? ms >= from : ms > from) && ms <= to && Number.isFinite(x)) {
        sum += x;
        n += 1;
      }
    }
  return n ? sum / n : null;
}

/**
 * Computes an SLO's budget at `now` from its SLI series over the window (values are the bad share, e.g. the error
 * ratio, 0..1) and, for the burn rates, finer series over the last hours (`recent`, defaulting to the same).
 * Fast burn: the 1 h burn rate is at least the policy's fastBurnRate; slow burn: the 6 h rate at least slowBurnRate.
 */
export function computeErrorBudget(slo: SloDef, series: Series[], now: Date, recent: Series[] = series): ErrorBudget {
  const end = now.getTime();
  const windowMean = meanBetween(series, end - slo.window, end);
  const h1 = meanBetween(recent, end - 3_600_000, end);
  const h6 = meanBetween(recent, end - 6 * 3_600_000, end);
  const remaining = windowMean === null ? null : budgetRemaining(windowMean, slo.objective);
  const burnRate1h = h1 === null ? null : burnRate(h1, slo.objective);
  const burnRate6h = h6 === null ? null : burnRate(h6, slo.objective);
  let state: BudgetState = 'unknown';
  if (remaining !== null) {
    if (remaining <= 0) state = 'exhausted';
    else if (burnRate1h !== null && burnRate1h >= slo.policy.fastBurnRate) state = 'fast_burn';
    else if (burnRate6h !== null && burnRate6h >= slo.policy.slowBurnRate) state = 'slow_burn';
    else state = 'healthy';
  }
  const policy =
    state === 'exhausted'
      ? slo.policy.freezeDeploysWhenExhausted
        ? 'budget exhausted: deploys are frozen except fixes'
        : 'budget exhausted'
      : state === 'fast_burn'
        ? 'fast burn: page-worthy, the budget would be gone within days'
        : state === 'slow_burn'
          ? 'slow burn: ticket-worthy, look at it in business hours'
          : null;
  return {
    slo: slo.name,
    service: slo.service,
    objective: slo.objective,
    windowMs: slo.window,
    remaining,
    burnRate1h,
    burnRate6h,
    state,
    policy,
  };
}

/** The budgets of a service's SLOs, read from the metrics source; `unknown` when there is no metrics source or it fails. */
export async function errorBudgetsFor(ctx: AppContext, service: string, now = ctx.clock.now()): Promise<ErrorBudget[]> {
  const slos = ctx.config.file.slos.filter((s) => s.service === service);
  const metrics = ctx.services.evidence.metrics;
  const specs = specsFromConfig(ctx.config.file).specs;
  const out: ErrorBudget[] = [];
  for (const slo of slos) {
    let series: Series[] = [];
    let recent: Series[] = [];
    // An SLI given by PromQL (or scoped to a label selector) is read as its bad share over each step.
    const spec = specs.find((s) => s.service === service && s.name === slo.name);
    const byQuery = Boolean(slo.events || slo.errorRatioQuery || Object.keys(slo.scope.selector).length);
    const read = (range: TimeRange): Promise<Series[]> =>
      !byQuery
        ? metrics!.queryRole(slo.sli, service, range)
        : spec
          ? metrics!.queryRange(errorRatioQuery(spec, promDuration(range.stepMs)), range)
          : Promise.resolve([]);
    if (metrics) {
      // About 700 points over the window keeps the query far under Prometheus's 11,000-point limit.
      const stepMs = Math.max(60_000, Math.ceil(slo.window / 700 / 60_000) * 60_000);
      const end = now.getTime();
      try {
        [series, recent] = await Promise.all([
          read({ start: end - slo.window, end, stepMs }),
          read({ start: end - 6 * 3_600_000, end, stepMs: 60_000 }),
        ]);
      } catch (err) {
        ctx.logger.warn({ err, slo: slo.name }, 'could not read the SLI for the error budget');
      }
    }
    out.push(computeErrorBudget(slo, series, now, recent));
  }
  return out;
}

/** An error budget's state: "30% of budget left", or "budget exhausted (169% overspent)" once spent. */
export function formatBudgetLeft(remaining: number | null): string {
  if (remaining === null) return 'unknown (no SLI data)';
  if (remaining < 0) return `budget exhausted (${humanNumber(-remaining * 100, 3)}% overspent)`;
  if (remaining === 0) return 'budget exhausted';
  return `${formatPercent(remaining)} of budget left`;
}

/** An SLO objective: 0.999 → "99.9%", 0.99995 → "99.995%" (all its digits, since they matter). */
export function formatObjective(objective: number): string {
  return `${humanNumber(objective * 100, 6)}%`;
}

/** An error budget as Slack shows it: its numbers formatted once here, so blocks/ shows them as given. */
export interface ErrorBudgetView {
  slo: string;
  /** "99.9%" */
  objective: string;
  /** "45.7% of budget left", "budget exhausted (169% overspent)" */
  remaining: string;
  /** "14×"; null without data */
  burnRate1h: string | null;
  state: BudgetState;
  policy: string | null;
}

export function errorBudgetView(b: ErrorBudget): ErrorBudgetView {
  return {
    slo: b.slo,
    objective: formatObjective(b.objective),
    remaining: formatBudgetLeft(b.remaining),
    burnRate1h: b.burnRate1h === null ? null : formatFactor(b.burnRate1h),
    state: b.state,
    policy: b.policy,
  };
}
