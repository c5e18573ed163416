// Error-budget arithmetic, pure: burn rates, the SRE workbook's multi-window multi-burn-rate table scaled to any
// period, budget remaining and time to exhaustion. Durations are milliseconds; ratios are 0..1.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The error budget of an objective: 0.999 → 0.001 (the share of events allowed to be bad). */
export function errorBudgetOf(objective: number): number {
  if (!(objective > 0 && objective < 1)) throw new RangeError(`objective must be between 0 and 1, got ${objective}`);
  return 1 - objective;
}

/** How fast a bad share spends the budget: 1 spends exactly the budget over the period, 14.4 spends it 14.4× faster. */
export function burnRate(errorRatio: number, objective: number): number {
  return errorRatio / errorBudgetOf(objective);
}

/** Share of the period's budget a burn rate spends in `windowMs`: 14.4 over 1 h of 30 d → 0.02. */
export function budgetConsumed(rate: number, windowMs: number, periodMs: number): number {
  return (rate * windowMs) / periodMs;
}

/** The burn rate that spends `budgetShare` of the period's budget within `windowMs` (2% in 1 h of 30 d → 14.4). */
export function burnRateFor(budgetShare: number, windowMs: number, periodMs: number): number {
  return (budgetShare * periodMs) / windowMs;
}

/** Budget left over the period, from the period's bad share: 1 untouched, 0 spent, negative overspent. */
export function budgetRemaining(periodErrorRatio: number, objective: number): number {
  return 1 - periodErrorRatio / errorBudgetOf(objective);
}

/**
 * Milliseconds until the budget left (a share, 0..1) is gone at a steady burn rate; 0 when already spent, null when
 * the burn rate is 0 (it never runs out).
 */
export function timeToExhaustion(remaining: number, rate: number, periodMs: number): number | null {
  if (remaining <= 0) return 0;
  if (rate <= 0) return null;
  return (remaining * periodMs) / rate;
}

export type BurnSeverity = 'page' | 'ticket';

/** One window pair of a multi-window multi-burn-rate alert: fires when both windows burn faster than `factor`. */
export interface BurnWindowPair {
  severity: BurnSeverity;
  /** Long window: whether enough budget was spent. */
  longMs: number;
  /** Short window (1/12 of the long one): whether it is still burning now, so the alert resets quickly. */
  shortMs: number;
  /** Share of the period's budget spent in the long window at the threshold (0.02 for 2%). */
  budgetShare: number;
  /** Burn-rate threshold, recomputed from the budget share for the period. */
  factor: number;
}

/** The workbook's table, as defined for a 30 d period: budget share spent within the long window. */
const WORKBOOK: ReadonlyArray<Omit<BurnWindowPair, 'factor'>> = [
  { severity: 'page', longMs: HOUR, shortMs: 5 * 60_000, budgetShare: 0.02 },
  { severity: 'page', longMs: 6 * HOUR, shortMs: 30 * 60_000, budgetShare: 0.05 },
  { severity: 'ticket', longMs: DAY, shortMs: 2 * HOUR, budgetShare: 0.1 },
  { severity: 'ticket', longMs: 3 * DAY, shortMs: 6 * HOUR, budgetShare: 0.1 },
];

/**
 * The four window pairs for a period: page at 1 h/5 m and 6 h/30 m, ticket at 1 d/2 h and 3 d/6 h, each factor the
 * burn rate that spends the workbook's budget share in its long window (14.4, 6, 3, 1 for 30 d; 13.44, 5.6, 2.8,
 * 0.93 for 28 d), as Sloth scales them.
 */
export function burnWindowPairs(periodMs: number): BurnWindowPair[] {
  if (!(periodMs > 0)) throw new RangeError(`period must be positive, got ${periodMs}`);
  return WORKBOOK.map((w) => ({ ...w, factor: burnRateFor(w.budgetShare, w.longMs, periodMs) }));
}

/** Does a window pair fire, given the bad share over its long and short windows? */
export function pairFires(pair: BurnWindowPair, objective: number, longRatio: number, shortRatio: number): boolean {
  const threshold = pair.factor * errorBudgetOf(objective);
  return longRatio > threshold && shortRatio > threshold;
}
