// A runbook's numbered steps (read by the runbooks capability's Markdown parser), and the choice of the step to
// suggest for a hypothesis.
import type { SuggestedStep } from './ports.js';
import type { Runbook } from './evidence-model.js';
import { readRunbookSteps } from '../runbooks/parse-runbook.js';

/** One numbered step of a runbook; `action` is the catalog action it names with `(action: NAME)`, if any. */
export interface RunbookStep {
  runbook: string;
  step: number;
  text: string;
  action: string | null;
}

/** The steps of a runbook: its numbered list items, or the items of its Diagnosis and Mitigation sections. */
export function parseRunbookSteps(runbook: Runbook): RunbookStep[] {
  return readRunbookSteps(runbook.markdown).map((s) => ({
    runbook: runbook.id,
    step: s.step,
    text: s.text,
    action: s.action,
  }));
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
