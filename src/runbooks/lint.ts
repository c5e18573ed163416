// `runbooks lint`: deterministic checks of every runbook and step (concrete or vague, placeholders, stale drills,
// unknown metrics and actions) and of the alerts that have no runbook.
import type { InvalidRunbook, SourcedRunbook } from './documents.js';
import { checkStep, metricNamesIn } from './lint-step.js';

export type LintRule =
  | 'invalid-runbook'
  | 'no-steps'
  | 'vague-step'
  | 'no-threshold'
  | 'placeholder'
  | 'unknown-action'
  | 'unknown-metric'
  | 'not-drilled'
  | 'alert-without-runbook'
  | 'duplicate-id';

/** One finding: an error fails the lint (exit 1), a warning does not. */
export interface LintFinding {
  severity: 'error' | 'warning';
  rule: LintRule;
  /** The runbook's id (null for an alert with no runbook or a file that did not parse). */
  runbook: string | null;
  step: number | null;
  /** The file, URL or config entry it is about. */
  source: string | null;
  message: string;
}

export interface LintInput {
  runbooks: readonly SourcedRunbook[];
  invalid?: readonly InvalidRunbook[];
  /** Alerts that should each have a runbook (the config's, a Prometheus rule file's) and where each is defined. */
  alerts?: readonly { name: string; source: string }[];
  /** The action catalog; a step naming an action outside it is an error. Unchecked when absent. */
  actions?: readonly string[];
  /** Metric names the metrics source knows; `from` says which (Prometheus's names are exact: unknown is an error). */
  metrics?: { names: ReadonlySet<string>; from: 'prometheus' | 'metric roles' };
  /** Ids given by more than one source, and which source won. */
  duplicates?: readonly { id: string; kept: string; dropped: string }[];
  now: number;
  /** runbookSettings.drillEvery, in milliseconds. */
  drillEveryMs: number;
}

export interface LintReport {
  runbooks: number;
  steps: number;
  errors: number;
  warnings: number;
  findings: LintFinding[];
}

const DAY = 86_400_000;

/** Runs every rule; findings come out in a stable order (by runbook, then step, then rule). */
export function lintRunbooks(input: LintInput): LintReport {
  const findings: LintFinding[] = [];
  const add = (f: Omit<LintFinding, 'source'> & { source?: string | null }) =>
    findings.push({ ...f, source: f.source ?? null });
  for (const bad of input.invalid ?? [])
    add({
      severity: 'error',
      rule: 'invalid-runbook',
      runbook: null,
      step: null,
      source: bad.source,
      message: bad.message,
    });
  for (const d of input.duplicates ?? [])
    add({
      severity: 'warning',
      rule: 'duplicate-id',
      runbook: d.id,
      step: null,
      source: d.dropped,
      message: `id "${d.id}" is also given by ${d.kept}, which wins; this one is not used`,
    });
  const catalog = input.actions ? new Set(input.actions) : null;
  let steps = 0;
  for (const rb of input.runbooks) {
    const at = { runbook: rb.id, source: rb.source };
    if (rb.steps.length === 0)
      add({
        ...at,
        severity: 'error',
        rule: 'no-steps',
        step: null,
        message:
          rb.layout === 'sections'
            ? 'the Diagnosis and Mitigation sections hold no step'
            : 'no numbered steps (write them as "1. …", or use Diagnosis / Mitigation sections)',
      });
    const stale = drillProblem(rb, input.now, input.drillEveryMs);
    if (stale) add({ ...at, severity: 'warning', rule: 'not-drilled', step: null, message: stale });
    for (const step of rb.steps) {
      steps++;
      const where = { ...at, step: step.step };
      const p = checkStep(step);
      if (p.vague) add({ ...where, severity: 'warning', rule: 'vague-step', message: `vague: ${p.vague}` });
      if (p.noThreshold) add({ ...where, severity: 'warning', rule: 'no-threshold', message: p.noThreshold });
      if (p.placeholders.length)
        add({
          ...where,
          severity: 'error',
          rule: 'placeholder',
          message: `placeholder left in: ${p.placeholders.join(', ')}`,
        });
      if (step.action && catalog && !catalog.has(step.action))
        add({
          ...where,
          severity: 'error',
          rule: 'unknown-action',
          message: `(action: ${step.action}) is not in the action catalog`,
        });
      if (input.metrics) {
        const unknown = [...new Set(step.code.flatMap(metricNamesIn))].filter((n) => !input.metrics!.names.has(n));
        if (unknown.length)
          add({
            ...where,
            severity: input.metrics.from === 'prometheus' ? 'error' : 'warning',
            rule: 'unknown-metric',
            message: `${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not known to ${input.metrics.from === 'prometheus' ? 'Prometheus' : 'the configured metric roles'}`,
          });
      }
    }
  }
  const answered = new Set(input.runbooks.flatMap((r) => r.alerts));
  const seen = new Set<string>();
  for (const alert of [...(input.alerts ?? [])].sort((a, b) => a.name.localeCompare(b.name))) {
    if (answered.has(alert.name) || seen.has(alert.name)) continue;
    seen.add(alert.name);
    add({
      severity: 'error',
      rule: 'alert-without-runbook',
      runbook: null,
      step: null,
      source: alert.source,
      message: `alert ${alert.name} has no runbook`,
    });
  }
  return {
    runbooks: input.runbooks.length,
    steps,
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    findings,
  };
}

/** Why a runbook counts as not drilled, or null when its last drill is recent enough. */
export function drillProblem(
  rb: Pick<SourcedRunbook, 'lastDrilled'>,
  now: number,
  drillEveryMs: number,
): string | null {
  const every = `${Math.round(drillEveryMs / DAY)} days`;
  if (!rb.lastDrilled) return `never drilled (no last_drilled; drill every ${every})`;
  const age = now - Date.parse(rb.lastDrilled);
  if (age <= drillEveryMs) return null;
  return `last drilled ${rb.lastDrilled}, ${Math.floor(age / DAY)} days ago (drill every ${every})`;
}

/** The report as people read it: one line per finding, grouped by runbook, and a summary line. */
export function formatLintReport(report: LintReport): string {
  const lines: string[] = [];
  let current: string | null | undefined;
  for (const f of report.findings) {
    const head = f.runbook ? `${f.runbook}${f.source ? ` (${f.source})` : ''}` : (f.source ?? 'config');
    if (head !== current) {
      lines.push(head);
      current = head;
    }
    lines.push(
      `  ${f.severity === 'error' ? 'error  ' : 'warning'} ${f.step !== null ? `step ${f.step}: ` : ''}${f.message}  [${f.rule}]`,
    );
  }
  lines.push(
    `${report.runbooks} runbook${report.runbooks === 1 ? '' : 's'}, ${report.steps} step${report.steps === 1 ? '' : 's'}: ${report.errors} error${report.errors === 1 ? '' : 's'}, ${report.warnings} warning${report.warnings === 1 ? '' : 's'}`,
  );
  return lines.join('\n');
}
