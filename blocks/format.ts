// Numbers on Slack surfaces: confidences from raw values in view models. (Budgets and objectives arrive formatted by
// the core, src/slo/error-budget.ts `errorBudgetView`.)

/** A confidence (0–1) as a whole percent, clamped: 0.826 → "83%". */
export function formatConfidence(confidence: number): string {
  return `${Math.round(Math.max(0, Math.min(1, confidence)) * 100)}%`;
}
