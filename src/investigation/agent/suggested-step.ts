// Finds the runbook step that carries out an action: steps are numbered list items naming it as `(action: NAME)`.
import type { Runbook } from '../scenario.js';
import type { SuggestedStep } from '../ports.js';

export interface RunbookStep {
  step: number;
  text: string;
  action: string | null;
}

/** The numbered steps of a runbook's markdown, with the action each names (if any). */
export function parseRunbookSteps(markdown: string): RunbookStep[] {
  const steps: RunbookStep[] = [];
  for (const raw of markdown.split('\n')) {
    const m = /^\s*(\d+)[.)]\s+(.*)$/.exec(raw);
    if (!m) continue;
    const text = m[2]!.trim();
    const action = /\(action:\s*([a-z][a-z0-9_]*)\s*\)/i.exec(text)?.[1] ?? null;
    steps.push({ step: Number(m[1]), text, action });
  }
  return steps;
}

/**
 * The first step naming `action`, preferring runbooks written for this alert. The action in the answer is always
 * the one asked for (derived from the category), never text from the runbook or the model.
 */
export function findStepForAction(runbooks: readonly Runbook[], action: string, alertname?: string): SuggestedStep | null {
  const ranked = [...runbooks].sort((a, b) => Number(alertname !== undefined && b.alerts.includes(alertname)) - Number(alertname !== undefined && a.alerts.includes(alertname)));
  for (const rb of ranked) {
    const hit = parseRunbookSteps(rb.markdown).find((s) => s.action === action);
    if (hit) return { runbook: rb.id, step: hit.step, text: hit.text, action };
  }
  return null;
}
