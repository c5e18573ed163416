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
 * The runbook step that carries out `action`, preferring the runbook the alert's `runbook_url` points to, then runbooks
 * written for the paging alert. For `escalate`, a step naming escalation when one exists, else an escalation
 * instruction of our own. The step carries what `runbooks lint` says of it (vague, not drilled).
 */
export function chooseStep(
  runbooks: readonly Runbook[],
  action: string,
  alertname: string | undefined,
  hint?: RegExp,
  runbookUrl?: string,
): SuggestedStep {
  const linked = runbookUrl ? runbookKey(runbookUrl) : null;
  const rankOf = (r: Runbook) =>
    linked !== null && r.url && runbookKey(r.url) === linked
      ? 0
      : alertname !== undefined && r.alerts.includes(alertname)
        ? 1
        : 2;
  const ordered = [...runbooks].sort((a, b) => rankOf(a) - rankOf(b));
  const steps = ordered.flatMap((rb) => parseRunbookSteps(rb).filter((s) => s.action === action));
  // Several steps may run the same action (scale out for a surge, scale out for hot CPU): take the one whose words fit.
  const step = (hint && steps.find((s) => hint.test(s.text))) ?? steps[0];
  if (step) {
    const rb = ordered.find((r) => r.id === step.runbook);
    const marks = [...(rb?.marks?.steps[String(step.step)] ?? []), ...(rb?.marks?.runbook ?? [])];
    return { ...step, action, ...(marks.length ? { marks } : {}) };
  }
  const home = ordered[0];
  const homeId = home && rankOf(home) < 2 ? home.id : '';
  if (action === 'escalate') {
    return {
      runbook: homeId,
      step: 0,
      text: 'No known failure explains this page: escalate to the owning team and the incident commander with the anomalies found.',
      action,
    };
  }
  return {
    runbook: homeId,
    step: 0,
    text: `No runbook step names ${action}; carry it out through the action catalog after review.`,
    action,
  };
}

/** A GitHub blob URL as `owner/repo:path` whatever the branch or anchor; any other URL without its anchor. */
function runbookKey(url: string): string {
  const m = /^https?:\/\/[^/]+\/([^/]+\/[^/]+)\/blob\/[^/]+\/([^?#]+)/.exec(url.trim());
  return m ? `${m[1]!.toLowerCase()}:${decodeURIComponent(m[2]!)}` : url.trim().replace(/[?#].*$/, '');
}
