// The rules `slo rules` prints, run through the real promtool: `check rules`, and `test rules` with series that burn
// fast (page), burn slowly (ticket, no page), blip for 3 minutes (nothing) and stay healthy (nothing).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../../../src/cli.js';
import { findBinary } from '../../helpers/prometheus-server.js';

const root = path.resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'slo-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function generate(args: string[]): Promise<string> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['slo', 'rules', ...args], { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  expect(err.join('\n')).toBe('');
  expect(code).toBe(0);
  return out.join('');
}

function promtool(...args: string[]) {
  const r = spawnSync(findBinary('promtool'), args, { cwd: dir, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Minutes at a constant bad share. */
type Profile = [minutes: number, badShare: number][];

/** A gauge holding the bad share each minute (a metric role such as service:http_errors:ratio_rate5m). */
function gaugeSeries(series: string, profile: Profile) {
  return [{ series, values: profile.map(([m, r]) => `${r}x${m - 1}`).join(' ') }];
}

/** Request counters, 1000 a minute, split into 5xx and 2xx by the bad share. */
function counterSeries(selector: (code: string) => string, profile: Profile) {
  const build = (inc: (r: number) => number) => {
    let cur = 0;
    const parts = ['0'];
    for (const [m, r] of profile) {
      const step = inc(r);
      parts.push(`${cur + step}+${step}x${m - 1}`);
      cur += step * m;
    }
    return parts.join(' ');
  };
  return [
    { series: selector('500'), values: build((r) => r * 1000) },
    { series: selector('200'), values: build((r) => 1000 - r * 1000) },
  ];
}

const HEALTHY = 0.0002; // 0.2× the budget of a 99.9% objective

interface Source {
  name: string;
  args: string[];
  input: (p: Profile) => { series: string; values: string }[];
  alertname: string;
  labels: Record<string, string>;
  page: { labels: Record<string, string>; annotations: Record<string, string> };
  ticket: { labels: Record<string, string>; annotations: Record<string, string> };
  periodDays: number;
}

const titles = (what: string) => (sev: string) => ({
  title: `(${sev}) ${what} SLO error budget burn rate is too fast.`,
  summary: `${what} SLO error budget burn rate is over expected.`,
});

const configTitles = titles('checkout checkout-availability');
const slothTitles = titles('checkout requests-availability');
const openSloTitles = titles('checkout checkout-availability');
const requests = (code: string) => `http_requests_total{service="checkout",code="${code}"}`;

const SOURCES: Source[] = [
  {
    name: 'the config example (metric role, 28d)',
    args: ['--config', path.join(root, 'copilot.example.yml')],
    input: (p) => gaugeSeries('service:http_errors:ratio_rate5m{service="checkout"}', p),
    alertname: 'CheckoutCheckoutAvailabilityBudgetBurn',
    labels: {
      sloth_id: 'checkout-checkout-availability',
      sloth_service: 'checkout',
      sloth_slo: 'checkout-availability',
      service: 'checkout',
    },
    page: { labels: { severity: 'sev2' }, annotations: configTitles('page') },
    ticket: { labels: { severity: 'sev3' }, annotations: configTitles('ticket') },
    periodDays: 28,
  },
  {
    name: 'a Sloth prometheus/v1 file (events, 30d)',
    args: ['--file', path.join(root, 'examples/slos/sloth-checkout.yml')],
    input: (p) => counterSeries(requests, p),
    alertname: 'CheckoutAvailabilityBurn',
    labels: {
      sloth_id: 'checkout-requests-availability',
      sloth_service: 'checkout',
      sloth_slo: 'requests-availability',
      team: 'payments',
      category: 'availability',
    },
    page: {
      labels: { severity: 'sev2', routing_key: 'payments' },
      annotations: { ...slothTitles('page'), runbook: 'https://runbooks.example.com/checkout-availability' },
    },
    ticket: {
      labels: { severity: 'sev3', channel: 'payments-alerts' },
      annotations: { ...slothTitles('ticket'), runbook: 'https://runbooks.example.com/checkout-availability' },
    },
    periodDays: 30,
  },
  {
    name: 'an OpenSLO v1 file (good/total counters, 30d)',
    args: ['--file', path.join(root, 'examples/slos/openslo-checkout.yml')],
    input: (p) => counterSeries(requests, p),
    alertname: 'CheckoutCheckoutAvailabilityBudgetBurn',
    labels: {
      sloth_id: 'checkout-checkout-availability',
      sloth_service: 'checkout',
      sloth_slo: 'checkout-availability',
      team: 'payments',
    },
    page: { labels: { severity: 'sev2' }, annotations: openSloTitles('page') },
    ticket: { labels: { severity: 'sev3' }, annotations: openSloTitles('ticket') },
    periodDays: 30,
  },
];

function unitTests(src: Source) {
  const page = {
    exp_labels: { ...src.labels, ...src.page.labels, sloth_severity: 'page', sloth_window: '5m' },
    exp_annotations: src.page.annotations,
  };
  const ticket = {
    exp_labels: { ...src.labels, ...src.ticket.labels, sloth_severity: 'ticket', sloth_window: '2h' },
    exp_annotations: src.ticket.annotations,
  };
  const none = (...minutes: number[]) =>
    minutes.map((m) => ({ eval_time: `${m}m`, alertname: src.alertname, exp_alerts: [] }));
  const one = (expr: string, m: number) => ({ expr, eval_time: `${m}m`, exp_samples: [{ labels: '{}', value: 1 }] });
  return {
    rule_files: ['rules.yml'],
    evaluation_interval: '1m',
    tests: [
      {
        // Fast burn: 5% errors (50× the budget) for 30 minutes after two healthy hours pages within 20 minutes.
        name: 'fast burn pages',
        interval: '1m',
        input_series: src.input([
          [120, HEALTHY],
          [30, 0.05],
        ]),
        alert_rule_test: [...none(110), { eval_time: '140m', alertname: src.alertname, exp_alerts: [page, ticket] }],
      },
      {
        // Slow burn: 0.4% errors (4× the budget) for a day opens a ticket and never pages.
        name: 'slow burn opens a ticket, no page',
        interval: '1m',
        input_series: src.input([
          [60, HEALTHY],
          [1500, 0.004],
        ]),
        alert_rule_test: [
          { eval_time: '1559m', alertname: src.alertname, exp_alerts: [ticket] },
          { eval_time: '600m', alertname: src.alertname, exp_alerts: [ticket] },
        ],
      },
      {
        // A 3-minute blip of 20% errors: the 5-minute window burns hot, the 1-hour window does not, so nothing fires.
        name: 'a 3-minute blip does not page',
        interval: '1m',
        input_series: src.input([
          [1500, HEALTHY],
          [3, 0.2],
          [57, HEALTHY],
        ]),
        alert_rule_test: none(1502, 1504, 1510, 1530, 1559),
        promql_expr_test: [one('count(slo:sli_error:ratio_rate5m > 0.05)', 1503)],
      },
      {
        name: 'a healthy service fires nothing',
        interval: '1m',
        input_series: src.input([[1560, HEALTHY]]),
        alert_rule_test: none(30, 360, 1500, 1559),
        promql_expr_test: [
          one(`count(slo:time_period:days == ${src.periodDays})`, 10),
          one('count(slo:error_budget:ratio > 0.000999 and slo:error_budget:ratio < 0.001001)', 10),
          one('count(slo:period_burn_rate:ratio > 0.19 and slo:period_burn_rate:ratio < 0.21)', 1500),
          one(
            'count(slo:period_error_budget_remaining:ratio > 0.79 and slo:period_error_budget_remaining:ratio < 0.81)',
            1500,
          ),
        ],
      },
    ],
  };
}

describe('slo rules through promtool', () => {
  for (const src of SOURCES)
    it(`passes check rules and the burn scenarios for ${src.name}`, async () => {
      const sub = mkdtempSync(path.join(dir, 'case-'));
      writeFileSync(path.join(sub, 'rules.yml'), await generate(src.args));
      const check = promtool('check', 'rules', path.join(sub, 'rules.yml'));
      expect(check.output).toContain('SUCCESS: 17 rules found');
      expect(check.code).toBe(0);
      writeFileSync(path.join(sub, 'tests.yml'), stringify(unitTests(src), { lineWidth: 0 }));
      const test = promtool('test', 'rules', path.join(sub, 'tests.yml'));
      expect(test.output).toContain('SUCCESS');
      expect(test.code, test.output).toBe(0);
    }, 300_000);
});
