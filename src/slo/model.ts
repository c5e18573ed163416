// The SLO model every input (the config, Sloth and OpenSLO files) becomes: SLI, objective, period, scope, alerting.
import type { FileConfig, SloDef } from '../config.js';

type Severity = 'sev1' | 'sev2' | 'sev3';

/** The SLI as PromQL with a `{{.window}}` placeholder: bad/total or good/total events, or one bad-share query. */
export type SliSpec =
  | { kind: 'events'; bad: string; total: string }
  | { kind: 'good-events'; good: string; total: string }
  | { kind: 'error-ratio'; errorRatio: string };

/** One severity of the burn alert (page or ticket). */
export interface BurnAlertSpec {
  disabled: boolean;
  /** The copilot's severity for an incident this alert opens. */
  severity: Severity;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** An SLO with its four parts and its alerting, whatever file it came from. */
export interface SloSpec {
  /** `<service>-<name>`, Sloth's sloth_id. */
  id: string;
  name: string;
  service: string;
  description?: string;
  /** 0..1 (0.999 for 99.9%). */
  objective: number;
  /** Milliseconds. */
  periodMs: number;
  sli: SliSpec;
  /** Which requests count: "all requests" (no selector) or, e.g., `{ tier: "paid" }`. */
  scope: { description?: string; selector: Record<string, string> };
  /** Labels on every generated rule. */
  labels: Record<string, string>;
  alerting: {
    name: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    page: BurnAlertSpec;
    ticket: BurnAlertSpec;
  };
  /** Where it was defined (a file path, or "config"). */
  source: string;
}

export const DAY_MS = 86_400_000;
const SELECTOR = /(,\s*)?\{\{\s*\.selector\s*\}\}/g;
const HAS_SELECTOR = /\{\{\s*\.selector\s*\}\}/;
const WINDOW = /\{\{\s*\.window\s*\}\}/g;
const PLAIN_SELECTOR = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?\s*$/s;

/** A default alert name from the SLO id: checkout-availability → CheckoutAvailabilityBudgetBurn. */
export function defaultAlertName(id: string): string {
  const pascal = id
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
  return `${/^[0-9]/.test(pascal) ? `Slo${pascal}` : pascal}BudgetBurn`;
}

const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The scope's label matchers as PromQL text: `tier="paid",region="eu"` (empty for all requests). */
export function selectorText(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(',');
}

/** The SLI's bad share over one window as PromQL (`window` like "5m"): the `{{.window}}` placeholders filled in. */
export function errorRatioQuery(slo: SloSpec, window: string): string {
  const scope = selectorText(slo.scope.selector);
  const fill = (q: string) =>
    q
      .replace(WINDOW, window)
      .replace(SELECTOR, (_m, comma: string | undefined) => (scope ? `${comma ?? ''}${scope}` : ''));
  switch (slo.sli.kind) {
    case 'events':
      return `(${fill(slo.sli.bad)})\n/\n(${fill(slo.sli.total)})`;
    case 'good-events':
      return `1 - (\n(${fill(slo.sli.good)})\n/\n(${fill(slo.sli.total)})\n)`;
    case 'error-ratio':
      return `(${fill(slo.sli.errorRatio)})`;
  }
}

/** The queries of an SLI, for checks that look at all of them. */
export function sliQueries(sli: SliSpec): string[] {
  return sli.kind === 'events'
    ? [sli.bad, sli.total]
    : sli.kind === 'good-events'
      ? [sli.good, sli.total]
      : [sli.errorRatio];
}

/**
 * A metric role's query (a bad share, already a rate such as `service:http_errors:ratio_rate5m{...}`) as a windowed
 * bad share: its average over the window. A plain selector gets a `{{.selector}}` placeholder for the scope; any
 * other expression is averaged as a subquery and must place the scope itself.
 */
export function roleAsErrorRatio(roleQuery: string): string {
  const plain = PLAIN_SELECTOR.exec(roleQuery);
  if (plain && !HAS_SELECTOR.test(roleQuery)) {
    const inner = plain[2]?.trim().replace(/,$/, '');
    return `avg_over_time(${plain[1]}{${inner ? `${inner},` : ''}{{.selector}}}[{{.window}}])`;
  }
  return `avg_over_time((${roleQuery})[{{.window}}:])`;
}

/** Checks what every spec must satisfy whatever its source; returns problems as "path: message". */
export function checkSpec(slo: SloSpec, at: string): string[] {
  const problems: string[] = [];
  if (!/^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/.test(slo.id))
    problems.push(`${at}: the SLO id "${slo.id}" has characters Prometheus labels should not carry`);
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(slo.alerting.name))
    problems.push(`${at}.alerting.name: "${slo.alerting.name}" is not a valid Prometheus alert name`);
  if (Object.keys(slo.scope.selector).length && !sliQueries(slo.sli).some((q) => HAS_SELECTOR.test(q)))
    problems.push(`${at}.scope.selector: no query of the SLI has a {{.selector}} placeholder to put the scope in`);
  for (const k of Object.keys(slo.scope.selector))
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k)) problems.push(`${at}.scope.selector.${k}: not a valid label name`);
  for (const [where, map] of [
    ['labels', slo.labels],
    ['alerting.labels', slo.alerting.labels],
    ['alerting.page.labels', slo.alerting.page.labels],
    ['alerting.ticket.labels', slo.alerting.ticket.labels],
  ] as const)
    for (const k of Object.keys(map))
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k)) problems.push(`${at}.${where}.${k}: not a valid label name`);
  if (slo.periodMs < 3 * DAY_MS) problems.push(`${at}: the period must be at least 3d (the longest alert window)`);
  return problems;
}

const alertOf = (a: SloDef['alerting']['page'], severity: Severity): BurnAlertSpec => ({
  disabled: a.disable,
  severity: a.severity ?? severity,
  labels: a.labels,
  annotations: a.annotations,
});

/** The config's `slos:` as specs; problems name the config path (slos.N…). */
export function specsFromConfig(file: FileConfig): { specs: SloSpec[]; problems: string[] } {
  const specs: SloSpec[] = [];
  const problems: string[] = [];
  file.slos.forEach((s, i) => {
    const at = `slos.${i}`;
    let sli: SliSpec;
    if (s.events)
      sli = s.events.bad
        ? { kind: 'events', bad: s.events.bad, total: s.events.total }
        : { kind: 'good-events', good: s.events.good!, total: s.events.total };
    else if (s.errorRatioQuery) sli = { kind: 'error-ratio', errorRatio: s.errorRatioQuery };
    else {
      const role = file.metrics.roles[s.sli];
      if (!role) return problems.push(`${at}.sli: unknown metric role "${s.sli}"`);
      sli = { kind: 'error-ratio', errorRatio: roleAsErrorRatio(role.replace(/\{\{\s*service\s*\}\}/g, s.service)) };
    }
    const id = `${s.service}-${s.name}`;
    const spec: SloSpec = {
      id,
      name: s.name,
      service: s.service,
      ...(s.description ? { description: s.description } : {}),
      objective: s.objective,
      periodMs: s.window,
      sli,
      scope: s.scope,
      labels: s.labels,
      alerting: {
        name: s.alerting.name ?? defaultAlertName(id),
        labels: s.alerting.labels,
        annotations: s.alerting.annotations,
        page: alertOf(s.alerting.page, 'sev2'),
        ticket: alertOf(s.alerting.ticket, 'sev3'),
      },
      source: 'config',
    };
    const p = checkSpec(spec, at);
    problems.push(...p);
    if (!p.length) specs.push(spec);
  });
  return { specs, problems };
}
