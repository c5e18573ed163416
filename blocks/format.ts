// Numbers on Slack surfaces: budgets, objectives and confidences from raw values in view models.

const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A number with at most `digits` significant digits, no exponent, no trailing zeros ("0.00117" → "0.00117", "12.70" → "12.7"). */
export function humanNumber(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 10 ** digits) return GROUPED.format(Math.round(x));
  const decimals = Math.min(20, Math.max(0, digits - 1 - Math.floor(Math.log10(abs))));
  return String(Number(x.toFixed(decimals)));
}

/** A 0–1 share as percent: 0.127 → "12.7%", 0.00117 → "0.12%", 1 → "100%". */
export function formatPercent(ratio: number): string {
  const p = ratio * 100;
  if (p !== 0 && Math.abs(p) < 0.01) return p > 0 ? '<0.01%' : '>-0.01%';
  return `${humanNumber(p, Math.abs(p) < 1 ? 2 : 3)}%`;
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
  return `${Number((objective * 100).toFixed(4))}%`;
}

/** A confidence (0–1) as a whole percent, clamped: 0.826 → "83%". */
export function formatConfidence(confidence: number): string {
  return `${Math.round(Math.max(0, Math.min(1, confidence)) * 100)}%`;
}
