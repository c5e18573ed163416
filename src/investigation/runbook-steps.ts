// Runbook markdown to numbered steps, and the choice of the step to suggest for a hypothesis.
import type { SuggestedStep } from './ports.js';
import type { Runbook } from './evidence-model.js';

/** One numbered step of a runbook; `action` is the catalog action it names with `(action: NAME)`, if any. */
export interface RunbookStep {
  runbook: string;
  step: number;
  text: string;
  action: string | null;
}

export function parseRunbookSteps(runbook: Runbook): RunbookStep[] {
  const steps: RunbookStep[] = [];
  for (const raw of runbook.markdown.split(/\r?\n/)) {
    const m = /^\s*(\d+)[.)]\s+(.+)$/.exec(raw);
    if (!m) continue;
    const text = m[2]!.trim();
    const action = /\(action:\s*([a-z][a-z0-9_]*)\s*\)/i.exec(text)?.[1] ?? null;
    steps.push({ runbook: runbook.id, step: Number(m[1]), text, action });
  }
  return steps;
}

/**
 * The runbook step that carries out `action`, preferring runbooks written for the paging alert.
 * For `escalate`, a step naming escalation when one exists, else an escalation instruction of our own.
 */
export function chooseStep(
  runbooks: readonly Runbook[],
  action: string,
  alertname: string | undefined,
  hint?: RegExp,
): SuggestedStep {
  const forAlert = (r: Runbook) => (alertname !== undefined && r.alerts.includes(alertname) ? 0 : 1);
  const ordered = [...runbooks].sort((a, b) => forAlert(a) - forAlert(b));
  const steps = ordered.flatMap((rb) => parseRunbookSteps(rb).filter((s) => s.action === action));
  // Several steps may run the same action (scale out for a surge, scale out for hot CPU): take the one whose words fit.
  const step = (hint && steps.find((s) => hint.test(s.text))) ?? steps[0];
  if (step) return { ...step, action };
  const home = ordered[0];
  if (action === 'escalate') {
    return {
      runbook: home && forAlert(home) === 0 ? home.id : '',
      step: 0,
      text: 'No known failure explains this page: escalate to the owning team and the incident commander with the anomalies found.',
      action,
    };
  }
  return {
    runbook: home && forAlert(home) === 0 ? home.id : '',
    step: 0,
    text: `No runbook step names ${action}; carry it out through the action catalog after review.`,
    action,
  };
}
