// Prometheus rule groups for SLOs, named and labelled as Sloth names them (so Sloth's dashboards work): SLI recording
// rules per window, metadata rules, and multi-window multi-burn-rate page and ticket alerts.
import { stringify } from 'yaml';
import { burnWindowPairs, errorBudgetOf, type BurnWindowPair } from './burn-math.js';
import { errorRatioQuery, type BurnAlertSpec, type SloSpec } from './model.js';

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}
export interface AlertingRule {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  rules: (RecordingRule | AlertingRule)[];
}

/** Told in `sloth_slo_info` where the rules came from (Sloth puts its own version and mode there). */
const GENERATOR = { sloth_mode: 'cli-gen-prom', sloth_version: 'incident-copilot' };

/** A duration in Prometheus's notation, largest unit that divides it: 5m, 1h, 1d, 30d. */
export function promDuration(ms: number): string {
  for (const [unit, size] of [
    ['w', 0],
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

const sliMetric = (window: string) => `slo:sli_error:ratio_rate${window}`;
const idLabels = (s: SloSpec) => ({ sloth_id: s.id, sloth_service: s.service, sloth_slo: s.name });
const filterOf = (s: SloSpec) =>
  `{${Object.entries(idLabels(s))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')}}`;
/** A number as PromQL text without float noise: 1 - 0.999 → 0.001. */
const num = (x: number) => String(Number(x.toPrecision(12)));

/** The windows the alerts need, shortest first, and the period. */
export function sliWindows(slo: SloSpec): number[] {
  const ms = new Set<number>();
  for (const p of burnWindowPairs(slo.periodMs)) ms.add(p.shortMs).add(p.longMs);
  return [...ms].sort((a, b) => a - b).concat(ms.has(slo.periodMs) ? [] : [slo.periodMs]);
}

function sliRules(slo: SloSpec): RecordingRule[] {
  const windows = sliWindows(slo);
  const shortest = promDuration(windows[0]!);
  return windows.map((ms) => {
    const w = promDuration(ms);
    if (ms === slo.periodMs) {
      // The period from the shortest window's ratios (as Sloth does): cheap, and a ratio of sums, not a mean of means.
      const m = `${sliMetric(shortest)}${filterOf(slo)}[${w}]`;
      return {
        record: sliMetric(w),
        expr: `sum_over_time(${m})\n/ ignoring (sloth_window)\ncount_over_time(${m})\n`,
        labels: { sloth_window: w },
      };
    }
    return {
      record: sliMetric(w),
      expr: `${errorRatioQuery(slo, w)}\n`,
      labels: { ...idLabels(slo), sloth_window: w, ...slo.labels },
    };
  });
}

function metadataRules(slo: SloSpec): RecordingRule[] {
  const labels = { ...idLabels(slo), ...slo.labels };
  const f = filterOf(slo);
  const burn = (metric: string) =>
    `${metric}${f}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio${f}\n`;
  return [
    { record: 'slo:objective:ratio', expr: `vector(${num(slo.objective)})`, labels },
    { record: 'slo:error_budget:ratio', expr: `vector(${num(errorBudgetOf(slo.objective))})`, labels },
    { record: 'slo:time_period:days', expr: `vector(${num(slo.periodMs / 86_400_000)})`, labels },
    { record: 'slo:current_burn_rate:ratio', expr: burn(sliMetric(promDuration(sliWindows(slo)[0]!))), labels },
    { record: 'slo:period_burn_rate:ratio', expr: burn(sliMetric(promDuration(slo.periodMs))), labels },
    { record: 'slo:period_error_budget_remaining:ratio', expr: `1 - slo:period_burn_rate:ratio${f}`, labels },
    {
      record: 'sloth_slo_info',
      expr: 'vector(1)',
      labels: { ...labels, ...GENERATOR, sloth_objective: num(slo.objective * 100), sloth_spec: 'prometheus/v1' },
    },
  ];
}

/** Both window pairs of one severity, as one expression: (short and long over the factor) or (the other pair). */
function burnExpr(slo: SloSpec, quick: BurnWindowPair, slow: BurnWindowPair): string {
  const f = filterOf(slo);
  const budget = num(errorBudgetOf(slo.objective));
  const over = (ms: number, factor: number) => `(${sliMetric(promDuration(ms))}${f} > (${num(factor)} * ${budget}))`;
  const pair = (p: BurnWindowPair) =>
    `(\n    ${over(p.shortMs, p.factor)}\n    and ignoring (sloth_window)\n    ${over(p.longMs, p.factor)}\n)`;
  return `${pair(quick)}\nor ignoring (sloth_window)\n${pair(slow)}\n`;
}

function alertRule(
  slo: SloSpec,
  severity: 'page' | 'ticket',
  spec: BurnAlertSpec,
  pairs: BurnWindowPair[],
): AlertingRule {
  const [quick, slow] = pairs.filter((p) => p.severity === severity) as [BurnWindowPair, BurnWindowPair];
  const what = `${slo.service} ${slo.name}`;
  return {
    alert: slo.alerting.name,
    expr: burnExpr(slo, quick, slow),
    labels: { severity: spec.severity, ...slo.alerting.labels, ...spec.labels, sloth_severity: severity },
    annotations: {
      title: `(${severity}) ${what} SLO error budget burn rate is too fast.`,
      summary: `${what} SLO error budget burn rate is over expected.`,
      ...slo.alerting.annotations,
      ...spec.annotations,
    },
  };
}

/** The three rule groups of one SLO: SLI recordings, metadata recordings, alerts (page and ticket unless disabled). */
export function ruleGroupsFor(slo: SloSpec): RuleGroup[] {
  const pairs = burnWindowPairs(slo.periodMs);
  const alerts: AlertingRule[] = [];
  if (!slo.alerting.page.disabled) alerts.push(alertRule(slo, 'page', slo.alerting.page, pairs));
  if (!slo.alerting.ticket.disabled) alerts.push(alertRule(slo, 'ticket', slo.alerting.ticket, pairs));
  return [
    { name: `sloth-slo-sli-recordings-${slo.id}`, rules: sliRules(slo) },
    { name: `sloth-slo-meta-recordings-${slo.id}`, rules: metadataRules(slo) },
    ...(alerts.length ? [{ name: `sloth-slo-alerts-${slo.id}`, rules: alerts }] : []),
  ];
}

/** A Prometheus rule file for the SLOs, as YAML. */
export function renderRuleFile(slos: readonly SloSpec[]): string {
  const groups = slos.flatMap(ruleGroupsFor);
  return `# Generated by incident-copilot slo rules. Do not edit.\n${stringify({ groups }, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}
