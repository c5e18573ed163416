// The world's alerting: evaluates a scenario's rule on the world's metrics and sends the page as Alertmanager would.
import { hash32 } from './random.js';
import { formatSample, metricByRole } from './metrics.js';
import type { AlertRule } from './scenarios.js';
import type { World } from './world.js';

/** How far back the evaluator looks for the moment a condition began to hold. */
const MAX_LOOKBACK_MS = 6 * 3_600_000;
const EVAL_STEP_MS = 15_000;

export interface AlertEvaluation {
  /** True when the condition holds now and has held for the rule's `for`. */
  firing: boolean;
  /** The metric's value now (the worst series when several match). */
  value: number | null;
  /** When the condition began to hold without a break (Prometheus: the alert became pending). */
  activeSince: number | null;
  /** When the alert fired: activeSince plus `for` (what Alertmanager reports as startsAt). */
  firedAt: number | null;
  /** The PromQL of the rule's expression, e.g. service:http_errors:ratio_rate5m{service="frontend"} > 0.05. */
  expr: string;
  selector: string;
}

function readValue(world: World, rule: AlertRule, t: number): number | null {
  const metric = metricByRole(rule.role);
  const sig = world.signalsAt(t).get(rule.service);
  if (!metric || !sig) return null;
  const wanted = Object.entries(rule.labels ?? {});
  const values = metric
    .read(rule.service, sig)
    .filter((s) => wanted.every(([k, v]) => s.labels[k] === v))
    .map((s) => s.value);
  if (!values.length) return null;
  return rule.op === '>' ? Math.max(...values) : Math.min(...values);
}

const holds = (rule: AlertRule, v: number | null) =>
  v !== null && (rule.op === '>' ? v > rule.threshold : v < rule.threshold);

export function selectorOf(rule: AlertRule): string {
  const metric = metricByRole(rule.role);
  const labels = { service: rule.service, ...(rule.labels ?? {}) };
  return `${metric?.name ?? rule.role}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;
}

/** Evaluates the rule at world time `now`, scanning back for when the condition began to hold. */
export function evaluateAlert(world: World, rule: AlertRule, now = world.now()): AlertEvaluation {
  const selector = selectorOf(rule);
  const expr = `${selector} ${rule.op} ${rule.threshold}`;
  const value = readValue(world, rule, now);
  if (!holds(rule, value)) return { firing: false, value, activeSince: null, firedAt: null, expr, selector };
  let since = now;
  for (let t = now - EVAL_STEP_MS; t >= now - MAX_LOOKBACK_MS; t -= EVAL_STEP_MS) {
    if (!holds(rule, readValue(world, rule, t))) break;
    since = t;
  }
  const firedAt = since + rule.forMs;
  return {
    firing: firedAt <= now,
    value,
    activeSince: since,
    firedAt: firedAt <= now ? firedAt : null,
    expr,
    selector,
  };
}

const rfc3339 = (ms: number) => new Date(ms).toISOString();

/** An Alertmanager webhook body (version 4) for one firing alert, exactly as Alertmanager's webhook receiver sends it. */
export function buildAlertmanagerBody(
  world: World,
  rule: AlertRule,
  evaluation: AlertEvaluation,
): Record<string, unknown> {
  const team = world.topology.services.find((s) => s.name === rule.service)?.team;
  const labels: Record<string, string> = {
    alertname: rule.alertname,
    service: rule.service,
    severity: rule.severity,
    ...(team !== undefined ? { team } : {}),
    namespace: 'prod',
    sli: rule.sli ?? rule.role,
    ...(rule.labels ?? {}),
  };
  const shown = evaluation.value === null ? 'unknown' : formatSample(Number(evaluation.value.toPrecision(3)));
  const annotations = {
    summary: rule.summary,
    description: `${evaluation.selector} is ${shown}${rule.descriptionSuffix ?? ''}`,
  };
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
  const fingerprint = (
    hash32(sorted).toString(16).padStart(8, '0') + hash32(`${sorted}#2`).toString(16).padStart(8, '0')
  ).slice(0, 16);
  const groupLabels = { alertname: rule.alertname, service: rule.service };
  return {
    version: '4',
    groupKey: `{}:{alertname="${rule.alertname}", service="${rule.service}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'incident-copilot',
    groupLabels,
    commonLabels: labels,
    commonAnnotations: { ...annotations, runbook_url: `https://runbooks.shop.example/${rule.alertname}` },
    externalURL: 'http://alertmanager.shop.example:9093',
    alerts: [
      {
        status: 'firing',
        labels,
        annotations,
        startsAt: rfc3339(evaluation.firedAt ?? world.now()),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: `http://prometheus.shop.example:9090/graph?g0.expr=${encodeURIComponent(evaluation.expr)}&g0.tab=1`,
        fingerprint,
      },
    ],
  };
}

export interface PageDelivery {
  status: number;
  body: string;
}

/** POSTs the body to the app's Alertmanager webhook, as Alertmanager's webhook_config would. */
export async function sendPage(
  url: string,
  body: unknown,
  opts: { bearerToken?: string; timeoutMs?: number } = {},
): Promise<PageDelivery> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Alertmanager/0.28.1',
      ...(opts.bearerToken ? { authorization: `Bearer ${opts.bearerToken}` } : {}),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
  });
  return { status: res.status, body: await res.text() };
}
