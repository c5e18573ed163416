import { describe, expect, it } from 'vitest';
import { parseFileConfig } from '../../../src/config.js';
import { ConfigError } from '../../../src/errors.js';
import { loadSloSpecs, specsFromText } from '../../../src/slo/load-specs.js';
import { errorRatioQuery, specsFromConfig } from '../../../src/slo/model.js';
import { ruleGroupsFor } from '../../../src/slo/prometheus-rules.js';

const DAY = 86_400_000;
const services = [{ name: 'checkout' }];

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const SLOTH = `version: prometheus/v1
service: checkout
labels: { team: payments }
slos:
  - name: availability
    objective: 99.5
    sli:
      events:
        error_query: sum(rate(reqs{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(reqs[{{ .window }}]))
    alerting:
      name: CheckoutAvailability
      page_alert: { labels: { routing_key: payments }, severity: sev1 }
      ticket_alert: { disable: true }
`;

describe('SLO specs from the config', () => {
  it("keeps today's short form valid: a metric role, window as the period", () => {
    const file = parseFileConfig({
      services,
      slos: [{ name: 'avail', service: 'checkout', sli: 'error_ratio', objective: 0.999, window: '28d' }],
    });
    const { specs, problems } = specsFromConfig(file);
    expect(problems).toEqual([]);
    expect(specs[0]).toMatchObject({ id: 'checkout-avail', objective: 0.999, periodMs: 28 * DAY, source: 'config' });
    expect(errorRatioQuery(specs[0]!, '1h')).toBe(
      '(avg_over_time(service:http_errors:ratio_rate5m{service="checkout"}[1h]))',
    );
    expect(specs[0]!.alerting).toMatchObject({
      name: 'CheckoutAvailBudgetBurn',
      page: { severity: 'sev2', disabled: false },
      ticket: { severity: 'sev3', disabled: false },
    });
  });

  it('defaults the period to 30 days and puts the scope selector into the queries', () => {
    const file = parseFileConfig({
      services,
      slos: [
        { name: 'all', service: 'checkout', objective: 0.999 },
        {
          name: 'paid',
          service: 'checkout',
          objective: 0.9995,
          period: '7d',
          scope: { description: 'paid tier', selector: { tier: 'paid' } },
          events: {
            good: 'sum(rate(reqs{code!~"5..",{{.selector}}}[{{.window}}]))',
            total: 'sum(rate(reqs{{{.selector}}}[{{.window}}]))',
          },
          alerting: { page: { severity: 'sev1', labels: { team: 'payments' } } },
        },
      ],
    });
    const { specs } = specsFromConfig(file);
    expect(specs[0]!.periodMs).toBe(30 * DAY);
    expect(errorRatioQuery(specs[1]!, '5m')).toBe(
      '1 - (\n(sum(rate(reqs{code!~"5..",tier="paid"}[5m])))\n/\n(sum(rate(reqs{tier="paid"}[5m])))\n)',
    );
    // "All requests": no matchers, and the placeholder leaves no stray comma behind.
    const all = { ...specs[1]!, scope: { selector: {} } };
    expect(errorRatioQuery(all, '5m')).toContain('reqs{code!~"5.."}[5m]');
    const page = ruleGroupsFor(specs[1]!)[2]!.rules[0]!;
    expect(page).toMatchObject({ labels: { severity: 'sev1', team: 'payments', sloth_severity: 'page' } });
  });

  it('names the field of an invalid SLO', () => {
    const problems = problemsOf(() =>
      parseFileConfig({
        services,
        slos: [
          { name: 'a', service: 'checkout', objective: 99.9 },
          { name: 'b', service: 'checkout', objective: 0.99, events: { bad: 'sum(rate(x[5m]))', total: 'y' } },
          { name: 'c', service: 'checkout', objective: 0.99, sli: 'error_ratio', errorRatioQuery: 'x[{{.window}}]' },
          { name: 'd', service: 'checkout', objective: 0.99, period: '30d', window: '28d' },
          { name: 'e', service: 'checkout', objective: 0.99, period: 30 },
        ],
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/slos\.0\.objective: /),
        expect.stringMatching(/slos\.1\.events\.bad: the bad query needs a \{\{\.window\}\} placeholder/),
        expect.stringMatching(/slos\.1\.events\.total: the total query needs/),
        expect.stringMatching(/slos\.2\.sli: give one SLI/),
        expect.stringMatching(/slos\.3\.window: give period or window/),
        expect.stringMatching(/slos\.4\.period: expected a duration with a unit/),
      ]),
    );
  });

  it('refuses a scope the SLI cannot apply and a period shorter than the alert windows', () => {
    const file = parseFileConfig({
      services,
      slos: [
        {
          name: 'a',
          service: 'checkout',
          objective: 0.99,
          errorRatioQuery: 'x[{{.window}}]',
          scope: { selector: { tier: 'paid' } },
        },
        { name: 'b', service: 'checkout', objective: 0.99, period: '1d' },
      ],
    });
    expect(specsFromConfig(file).problems).toEqual([
      'slos.0.scope.selector: no query of the SLI has a {{.selector}} placeholder to put the scope in',
      'slos.1: the period must be at least 3d (the longest alert window)',
    ]);
  });
});

describe('SLO specs from files', () => {
  it('reads a Sloth prometheus/v1 file', () => {
    const { specs, problems } = specsFromText(SLOTH, 'sloth.yml');
    expect(problems).toEqual([]);
    expect(specs).toHaveLength(1);
    expect(specs[0]).toMatchObject({
      id: 'checkout-availability',
      objective: 0.995,
      periodMs: 30 * DAY,
      labels: { team: 'payments' },
      alerting: { name: 'CheckoutAvailability', page: { severity: 'sev1' }, ticket: { disabled: true } },
    });
    // A disabled ticket alert leaves only the page rule.
    const alerts = ruleGroupsFor(specs[0]!)[2]!.rules;
    expect(alerts.map((r) => (r as { labels: Record<string, string> }).labels.sloth_severity)).toEqual(['page']);
    expect(errorRatioQuery(specs[0]!, '6h')).toBe('(sum(rate(reqs{code=~"5.."}[6h])))\n/\n(sum(rate(reqs[6h])))');
  });

  it('names the file and field of an invalid Sloth SLO', () => {
    const bad = SLOTH.replace('objective: 99.5', 'objective: 150').replace(
      'name: CheckoutAvailability',
      'name: "Checkout availability"',
    );
    expect(problemsOf(() => loadSloSpecs({ files: ['s.yml'], readFile: () => bad }))).toEqual([
      's.yml: slos.0.objective: Too big: expected number to be <=100',
      's.yml: slos.0.alerting.name: expected an alert name such as MyServiceHighErrorRate',
    ]);
    const noSli = SLOTH.replace(/ {4}sli:\n(.*\n){3}/, '    sli: {}\n');
    expect(problemsOf(() => loadSloSpecs({ files: ['s.yml'], readFile: () => noSli }))).toEqual([
      's.yml: slos.0.sli.events: give exactly one of events or raw',
    ]);
  });

  it('reads OpenSLO SLO and SLI documents, inline or by reference', () => {
    const text = `apiVersion: openslo/v1
kind: SLO
metadata: { name: latency }
spec:
  service: checkout
  budgetingMethod: Occurrences
  timeWindow: [{ duration: 4w, isRolling: true }]
  objectives: [{ targetPercent: 99 }]
  indicator:
    spec:
      ratioMetric:
        bad: { metricSource: { spec: { query: 'sum(rate(slow_total[{{.window}}]))' } } }
        total: { metricSource: { spec: { query: 'sum(rate(reqs_total[{{.window}}]))' } } }
`;
    const { specs, problems } = specsFromText(text, 'o.yml');
    expect(problems).toEqual([]);
    expect(specs[0]).toMatchObject({ id: 'checkout-latency', objective: 0.99, periodMs: 28 * DAY });
    expect(specs[0]!.sli).toEqual({
      kind: 'events',
      bad: 'sum(rate(slow_total[{{.window}}]))',
      total: 'sum(rate(reqs_total[{{.window}}]))',
    });
  });

  it('names the document and field of an invalid OpenSLO SLO', () => {
    const text = `apiVersion: openslo/v1
kind: SLO
metadata: { name: avail }
spec:
  service: checkout
  budgetingMethod: Timeslices
  timeWindow: [{ duration: 30d }]
  objectives: [{ target: 0.999 }]
  indicatorRef: missing
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: avail2 }
spec:
  service: checkout
  budgetingMethod: Occurrences
  timeWindow: [{ duration: 30d }]
  objectives: [{ target: 0.999 }]
  indicatorRef: missing
---
apiVersion: openslo/v1
kind: SLI
metadata: { name: gauge }
spec:
  ratioMetric:
    good: { metricSource: { spec: { query: 'ok' } } }
    total: { metricSource: { spec: { query: 'all' } } }
`;
    expect(problemsOf(() => loadSloSpecs({ files: ['o.yml'], readFile: () => text }))).toEqual([
      'o.yml: documents.0.spec.budgetingMethod: only Occurrences budgeting is supported',
      'o.yml: documents.1.spec.indicatorRef: no kind: SLI document named "missing"',
    ]);
    const ref = text.split('---')[1]!.replace('missing', 'gauge') + '---' + text.split('---')[2]!;
    expect(problemsOf(() => loadSloSpecs({ files: ['o.yml'], readFile: () => ref }))).toEqual([
      'o.yml: documents.0.spec.indicatorRef.ratioMetric: queries need a {{.window}} placeholder unless counter: true',
    ]);
  });

  it('refuses an unknown document and an SLO defined twice', () => {
    expect(problemsOf(() => loadSloSpecs({ files: ['x.yml'], readFile: () => 'kind: Deployment\n' }))).toEqual([
      'x.yml: document 0: neither a Sloth file (version: prometheus/v1) nor OpenSLO (apiVersion: openslo/v1)',
    ]);
    expect(problemsOf(() => loadSloSpecs({ files: ['a.yml', 'b.yml'], readFile: () => SLOTH }))).toEqual([
      'b.yml: SLO "checkout-availability" is also defined in a.yml',
    ]);
  });
});
