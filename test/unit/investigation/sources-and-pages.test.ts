// Scenario-backed ports (metrics by role, logs, changes), page summaries from Alertmanager and PagerDuty, runbook steps.
import { describe, expect, it } from 'vitest';
import { pageSummaryFromAlertmanager, pageSummaryFromPagerDuty } from '../../../src/investigation/investigate.js';
import { chooseStep, parseRunbookSteps } from '../../../src/investigation/runbook-steps.js';
import { createScenarioSources } from '../../../eval/scenario-sources.js';
import { parseSelector } from '../../../sandbox/world/selector.js';
import { ValidationError } from '../../../src/errors.js';
import { ago, alertmanagerPage, buildScenario, deploy, httpService, NOW, RUNBOOKS, svc } from './scenario-builder.js';

const s = buildScenario({
  services: [svc('web', ['api']), svc('api')],
  page: alertmanagerPage('web'),
  series: [
    ...httpService('web'),
    ...httpService('api'),
    { name: 'service:upstream_errors:ratio_rate5m', labels: { service: 'web', upstream: 'api' }, base: 0.001 },
  ],
  deploys: [deploy('deploy-1', 'api', 30), deploy('deploy-2', 'web', 200)],
  logs: [
    { ts: ago(20), service: 'api', level: 'error', line: 'boom' },
    { ts: ago(5), service: 'web', level: 'info', line: 'ok' },
  ],
});
const range = { start: NOW - 3 * 3_600_000, end: NOW, stepMs: 60_000 };

describe('createScenarioSources', () => {
  it('answers a metric role for a service with that service series, using the configured PromQL', async () => {
    const src = createScenarioSources(s);
    const errors = await src.metrics!.queryRole('error_ratio', 'api', range);
    expect(errors.map((x) => x.metric)).toEqual([{ __name__: 'service:http_errors:ratio_rate5m', service: 'api' }]);
    expect(errors[0]!.values).toHaveLength(181);
    expect((await src.metrics!.queryRole('upstream_error_ratio', 'web', range)).map((x) => x.metric.upstream)).toEqual([
      'api',
    ]);
    expect(await src.metrics!.queryRole('queue_depth', 'web', range)).toEqual([]);
    const custom = createScenarioSources(s, { error_ratio: 'service:http_latency_seconds:p99{service="{{service}}"}' });
    expect((await custom.metrics!.queryRole('error_ratio', 'api', range))[0]!.metric.__name__).toBe(
      'service:http_latency_seconds:p99',
    );
  });

  it('answers plain PromQL selectors, clipped to the range, and refuses anything richer', async () => {
    const src = createScenarioSources(s);
    const r = await src.metrics!.queryRange('service:http_requests:rate5m{service=~"web|api"}', {
      start: NOW - 10 * 60_000,
      end: NOW,
      stepMs: 60_000,
    });
    expect(r.map((x) => x.metric.service).sort()).toEqual(['api', 'web']);
    expect(r[0]!.values).toHaveLength(11);
    await expect(src.metrics!.queryRange('rate(x[5m])', range)).rejects.toBeInstanceOf(ValidationError);
    expect(parseSelector('up{job!="a",x="b\\"c"}')).toEqual({
      name: 'up',
      matchers: [
        { label: 'job', op: '!=', value: 'a' },
        { label: 'x', op: '=', value: 'b"c' },
      ],
    });
  });

  it('filters logs, deploys and changes by service and time', async () => {
    const src = createScenarioSources(s);
    expect((await src.logs!.search({ service: 'api', range })).map((l) => l.line)).toEqual(['boom']);
    expect((await src.logs!.search({ level: 'info', range })).map((l) => l.line)).toEqual(['ok']);
    expect((await src.changes!.listDeploys(range)).map((d) => d.id)).toEqual(['deploy-1']);
    expect((await src.changes!.listDeploys({ ...range, start: 0 }, 'web')).map((d) => d.id)).toEqual(['deploy-2']);
    expect((await src.graph.services()).map((x) => x.name)).toEqual(['web', 'api']);
  });
});

describe('page summaries', () => {
  it('reads an Alertmanager v4 webhook: first firing alert, labels over common labels', () => {
    const p = pageSummaryFromAlertmanager(
      alertmanagerPage('web', 'HighErrorRate', { description: 'x > 0.05' }, 7).payload,
    );
    expect(p).toMatchObject({
      source: 'alertmanager',
      alertname: 'HighErrorRate',
      service: 'web',
      severity: 'critical',
      startsAt: ago(7),
    });
    expect(p.annotations.description).toBe('x > 0.05');
  });

  it('reads a PagerDuty v3 incident.triggered event', () => {
    const p = pageSummaryFromPagerDuty({
      event: {
        id: '01ABC',
        event_type: 'incident.triggered',
        occurred_at: '2026-03-10T11:50:00Z',
        data: {
          id: 'Q1',
          type: 'incident',
          title: '[FIRING:1] HighErrorRate web',
          created_at: '2026-03-10T11:49:00Z',
          urgency: 'high',
          service: { id: 'P1', summary: 'web' },
        },
      },
    });
    expect(p).toMatchObject({
      source: 'pagerduty',
      alertname: 'HighErrorRate',
      service: 'web',
      severity: 'high',
      startsAt: '2026-03-10T11:49:00Z',
    });
  });

  it('refuses payloads of the wrong shape with the paths at fault', () => {
    expect(() => pageSummaryFromAlertmanager({ version: '4', alerts: [] })).toThrow(/alerts/);
    expect(() => pageSummaryFromPagerDuty({ nope: true })).toThrow(/event/);
  });
});

describe('runbook steps', () => {
  it('parses numbered steps and their actions', () => {
    expect(parseRunbookSteps(RUNBOOKS[0]!).map((x) => [x.step, x.action])).toEqual([
      [1, null],
      [2, 'rollback_deploy'],
      [3, 'revert_change'],
      [4, 'enable_fallback'],
    ]);
  });

  it('suggests the step that carries out the action, preferring the runbook of the paging alert', () => {
    const extra = { id: 'rb-other', title: 'x', alerts: ['Other'], markdown: '1. Scale (action: scale_out)' };
    expect(chooseStep([extra, ...RUNBOOKS], 'scale_out', 'HighLatencyP99')).toMatchObject({
      runbook: 'rb-latency',
      step: 2,
      action: 'scale_out',
    });
    expect(chooseStep(RUNBOOKS, 'escalate', 'HighErrorRate')).toMatchObject({
      runbook: 'rb-errors',
      step: 0,
      action: 'escalate',
    });
  });

  it('among steps that share an action, takes the one whose words fit the hypothesis', () => {
    const latency = {
      id: 'rb-lat',
      title: 'x',
      alerts: ['HighLatencyP99'],
      markdown:
        '1. Traffic above 2x: scale out (action: scale_out).\n2. CPU above 0.9 without a surge: scale out (action: scale_out).',
    };
    expect(chooseStep([latency], 'scale_out', 'HighLatencyP99', /cpu/i).step).toBe(2);
    expect(chooseStep([latency], 'scale_out', 'HighLatencyP99', /traffic|surge/i).step).toBe(1);
    expect(chooseStep([latency], 'scale_out', 'HighLatencyP99').step).toBe(1);
  });
});
