// What the incident found about each catalog action it ran, as runbook findings: the exact command that ran
// (placeholders filled), whether it worked, what happened when it did not, and the events that prove it.
import type { ActionDef } from '../config.js';
import { extractCommand, fillPlaceholders, placeholderValues } from '../incidents/step-placeholders.js';
import type { Incident } from '../incidents/repository.js';
import { fillInputs } from '../remediation/jobs/run-remediation.js';
import type { RunbookStepModel } from '../runbooks/model.js';
import { actionWorked, type ActionFact } from './facts.js';
import type { StepFinding } from './runbook-update.js';

const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The command the catalog action stands for, with this run's values: for a GitHub workflow, the `gh` call. */
export function catalogCommand(
  def: ActionDef | undefined,
  run: ActionFact,
  incident: Pick<Incident, 'publicId'>,
): string | null {
  if (!def) return null;
  const runner = def.runner;
  if (runner.type !== 'github_workflow') return null;
  const inputs = fillInputs(runner.inputs, {
    service: run.service ?? '',
    cause: run.cause,
    incident: incident.publicId,
    run: run.runId,
  });
  const fields = Object.entries(inputs).map(([k, v]) => ` -f ${shellQuote(`${k}=${v}`)}`);
  return `gh workflow run ${shellQuote(runner.workflow)} --repo ${runner.repo} --ref ${shellQuote(runner.ref)}${fields.join('')}`;
}

/**
 * One finding per action that ran or failed (rejected and never-run proposals teach the runbook nothing). The command
 * is the runbook step's own, filled with the incident's values; else the catalog action's.
 */
export function findingsOf(
  actions: readonly ActionFact[],
  steps: readonly RunbookStepModel[],
  catalog: readonly ActionDef[],
  incident: Pick<Incident, 'service' | 'publicId' | 'investigation'>,
): StepFinding[] {
  const values = placeholderValues(incident);
  const out: StepFinding[] = [];
  for (const a of actions) {
    if (a.outcome !== 'succeeded' && a.outcome !== 'failed') continue;
    const step = steps.find((s) => s.action === a.action);
    const raw = step ? extractCommand(step.text) : null;
    const command =
      raw !== null
        ? fillPlaceholders(raw, { ...values, service: a.service ?? values.service }).text
        : catalogCommand(
            catalog.find((c) => c.name === a.action),
            a,
            incident,
          );
    const evidence = [a.approvedEvent, a.outcomeEvent, a.verificationEvent].filter((id): id is number => id !== null);
    const worked = actionWorked(a);
    out.push({
      action: a.action,
      command,
      worked,
      what:
        a.outcome === 'failed'
          ? `failed: ${a.detail ?? 'the runner reported a failure'}`
          : 'ran but the SLI did not recover (it misled)',
      evidence,
    });
  }
  // Several runs of one action: the last one decides what the runbook says.
  const last = new Map<string, StepFinding>();
  for (const f of out) last.set(f.action, f);
  return [...last.values()];
}
