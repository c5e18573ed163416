// Each answer builder: what it says from what the tools found, and the evidence ids it cites.
import { describe, expect, it } from 'vitest';
import { answerPlainText } from '../../../src/conversation/answer.js';
import {
  buildChangesAnswer,
  buildCommanderAnswer,
  buildLogsAnswer,
  buildMetricsAnswer,
  buildOnCallAnswer,
  buildPagedAnswer,
  buildRunbookAnswer,
  buildSimilarAnswer,
  buildStatusAnswer,
  buildTimelineAnswer,
  buildWhyAnswer,
} from '../../../src/conversation/answers.js';
import { buildHelpAnswer } from '../../../src/conversation/help.js';
import { logTemplate } from '../../../src/conversation/tools.js';
import type { Incident } from '../../../src/incidents/repository.js';

const NOW = Date.UTC(2026, 10, 25, 16, 0, 0);
const window = { startMs: NOW - 3_600_000, endMs: NOW, label: 'the last hour' };

const incident: Incident = {
  id: 7,
  publicId: 'INC-7',
  title: 'checkout errors',
  severity: 'sev1',
  service: 'checkout',
  team: 'payments',
  status: 'acknowledged',
  source: 'alertmanager',
  groupKey: null,
  externalId: null,
  commander: 'U0PRIMARY',
  responders: [],
  channelId: 'C0INC',
  channelName: 'inc-7',
  briefingTs: '1.1',
  investigation: {
    novel: false,
    hypotheses: [
      {
        category: 'bad_deploy',
        service: 'checkout',
        cause: 'd-42',
        confidence: 0.826,
        summary: 'Deploy d-42 of checkout broke it',
        evidence: [
          { kind: 'deploy', ref: 'd-42', detail: 'deploy d-42 at 15:20, 3 min before the onset' },
          { kind: 'metric', ref: 'error_ratio{service="checkout"}', detail: 'error ratio 0.1% -> 12.7% from 15:23' },
        ],
      },
    ],
    suggestedStep: {
      runbook: 'checkout-errors',
      step: 2,
      text: 'Roll back the last deploy',
      action: 'rollback_deploy',
    },
  },
  page: null,
  briefingState: null,
  chatProgress: {},
  openedAt: new Date(NOW - 30 * 60_000),
  acknowledgedAt: new Date(NOW - 25 * 60_000),
  resolvedAt: null,
  version: 1,
};

const plain = (a: Parameters<typeof answerPlainText>[0]) => answerPlainText(a);

describe('answer builders', () => {
  it('what changed: newest first, each with its id cited', () => {
    const a = buildChangesAnswer(
      {
        deploys: [{ id: 'd-42', service: 'checkout', ts: '2026-11-25T15:20:00Z', title: 'Bump client', files: [] }],
        changes: [
          { id: 'f-9', kind: 'feature_flag', service: 'checkout', ts: '2026-11-25T15:40:00Z', summary: 'new-cart on' },
        ],
      },
      'checkout',
      window,
    );
    expect(plain(a)).toBe(
      [
        'What changed to checkout in the last hour (2), newest first:',
        '15:40 UTC feature flag change f-9 of checkout: "new-cart on" [change:f-9]',
        '15:20 UTC deploy d-42 of checkout: "Bump client" [deploy:d-42]',
      ].join('\n'),
    );
    expect(a.evidenceIds).toEqual(['change:f-9', 'deploy:d-42']);
  });

  it('what changed: says nothing changed, or that it cannot tell', () => {
    expect(buildChangesAnswer({ deploys: [], changes: [] }, 'cart', window).title).toBe(
      'Nothing changed to cart in the last hour: no deploy, flag or config change recorded.',
    );
    expect(
      buildChangesAnswer(
        { deploys: [], changes: [], missing: 'no deploy or change source is configured' },
        undefined,
        window,
      ).title,
    ).toContain('I cannot tell what changed');
  });

  it('who is on call: primary and secondary as people', () => {
    const a = buildOnCallAnswer({
      at: new Date(NOW),
      service: 'checkout',
      rows: [
        {
          team: 'payments',
          schedule: 'p',
          primary: '<@U0PRIMARY>',
          secondary: 'Sam',
          next: null,
          shiftEnd: null,
          timeZone: 'UTC',
          overridden: false,
        },
      ],
    });
    expect(a.lines).toEqual([
      [{ text: 'payments: primary ' }, { user: 'U0PRIMARY' }, { text: ', secondary ' }, { text: 'Sam' }],
    ]);
    expect(a.title).toBe('On call for checkout now:');
  });

  it('commander and paged', () => {
    expect(buildCommanderAnswer(incident).lines).toEqual([[{ user: 'U0PRIMARY' }]]);
    expect(buildCommanderAnswer({ ...incident, commander: null }).title).toContain('has no commander yet');
    expect(buildPagedAnswer(incident, ['U0PRIMARY', 'U0SECOND']).title).toBe('Paged for INC-7 so far (2):');
    expect(buildPagedAnswer(incident, []).title).toBe('Nobody has been paged for INC-7 yet.');
  });

  it('status: status, severity, times and the top hypothesis', () => {
    const text = plain(buildStatusAnswer(incident, NOW));
    expect(text).toContain('Status: acknowledged; severity SEV1; service checkout.');
    expect(text).toContain('Opened 15:30 UTC (30 min ago), acknowledged 15:35 UTC.');
    expect(text).toContain('Top hypothesis: "Deploy d-42 of checkout broke it" (83%)');
  });

  it("status in the team's zone: the times read as the briefing and the charts show them", () => {
    // 15:30 UTC in late November is 16:30 in Berlin (CET, GMT+1).
    const text = plain(buildStatusAnswer(incident, NOW, 'Europe/Berlin'));
    expect(text).toContain('Opened 16:30 GMT+1 (30 min ago), acknowledged 16:35 GMT+1.');
  });

  it('timeline: the last events, untrusted values quoted', () => {
    const a = buildTimelineAnswer(incident, [
      {
        id: 1,
        incidentId: 7,
        at: new Date(NOW - 60_000),
        type: 'alert.received',
        actor: 'system',
        data: { alertname: 'HighErrors' },
      },
      { id: 2, incidentId: 7, at: new Date(NOW), type: 'incident.acknowledged', actor: 'U0PRIMARY', data: {} },
    ]);
    expect(plain(a)).toBe(
      [
        'INC-7 so far (2 events):',
        '15:59 UTC alert received: "HighErrors"',
        '16:00 UTC incident acknowledged by @U0PRIMARY',
      ].join('\n'),
    );
  });

  it('why #n: the evidence with its numbers and ids; a missing number says how many there are', () => {
    const a = buildWhyAnswer(incident, 1);
    expect(a.title).toBe('Hypothesis #1: bad deploy in checkout, confidence 83%');
    expect(plain(a)).toContain('error ratio 0.1% -> 12.7% from 15:23');
    expect(a.evidenceIds).toEqual(['deploy:d-42', 'metric:error_ratio{service="checkout"}']);
    expect(buildWhyAnswer(incident, 3).title).toBe('There is no hypothesis #3: the investigation has 1.');
    expect(buildWhyAnswer({ ...incident, investigation: null }, 1).title).toContain('no result yet');
  });

  it('metrics now vs before, in their units', () => {
    const a = buildMetricsAnswer(
      'checkout',
      [
        {
          role: 'error_ratio',
          service: 'checkout',
          labels: '',
          now: 0.127,
          before: 0.001,
          id: 'metric:error_ratio:checkout',
        },
        {
          role: 'latency_p99',
          service: 'checkout',
          labels: '',
          now: 0.25,
          before: 0.245,
          id: 'metric:latency_p99:checkout',
        },
      ],
      'the 30 minutes before 15:30 UTC',
    );
    expect(plain(a)).toBe(
      [
        'checkout now vs the 30 minutes before 15:30 UTC:',
        'error ratio: 12.7% now, 0.1% before (up 12600%) [metric:error_ratio:checkout]',
        'p99 latency: 250 ms now, 245 ms before (about the same) [metric:latency_p99:checkout]',
      ].join('\n'),
    );
    expect(buildMetricsAnswer('cart', [], 'x', 'no metrics source is configured').title).toContain('cannot read');
  });

  it('logs: new error lines quoted with counts and ids', () => {
    const line = {
      ts: '2026-11-25T15:24:00Z',
      service: 'checkout',
      level: 'error' as const,
      line: 'payment timeout after 3000ms',
    };
    const a = buildLogsAnswer('checkout', window, {
      lines: [{ line, count: 4, id: 'log:checkout@2026-11-25T15:24:00Z' }],
      total: 9,
    });
    expect(plain(a)).toContain(
      '4× since 15:24 UTC (error): "payment timeout after 3000ms" [log:checkout@2026-11-25T15:24:00Z]',
    );
    expect(buildLogsAnswer('checkout', window, { lines: [], total: 3 }).title).toContain('No new error lines');
    expect(logTemplate('timeout after 3000ms id=ab12cd34ef "x y"')).toBe('timeout after #ms id=# "*"');
  });

  it('runbook: the next step and its catalog action', () => {
    const a = buildRunbookAnswer({
      runbook: { id: 'checkout-errors', title: 'Checkout errors', alerts: [], markdown: '1. Look\n2. Roll back' },
      step: incident.investigation!.suggestedStep,
    });
    expect(plain(a)).toContain('Runbook: Checkout errors [runbook:checkout-errors]');
    expect(plain(a)).toContain('Next step (2): "Roll back the last deploy"');
    expect(a.evidenceIds).toEqual(['runbook:checkout-errors']);
    expect(buildRunbookAnswer({ step: null }).title).toBe('No runbook matches this incident.');
  });

  it('similar: the copilot’s own resolved incidents with their root cause, then the history source’s', () => {
    const a = buildSimilarAnswer(
      {
        own: [
          {
            publicId: 'INC-3',
            title: 'checkout down',
            service: 'checkout',
            resolvedAt: new Date(NOW - 86_400_000),
            resolution: { category: 'bad_deploy', cause: 'd-17' },
          },
        ],
        history: [
          {
            id: 'PD-1',
            title: 'checkout 500s',
            service: 'checkout',
            category: 'bad_deploy',
            openedAt: '2026-10-01T00:00:00Z',
            rootCause: 'bad build',
            remediation: 'rollback',
          },
        ],
      },
      'checkout',
    );
    expect(plain(a)).toBe(
      [
        "Similar past incidents for checkout (the copilot's resolved ones first):",
        'INC-3 (resolved 2026-11-24, checkout): "checkout down" — root cause: "bad deploy — d-17"',
        'PD-1 (2026-10-01, checkout, bad deploy): "checkout 500s" — root cause: "bad build" — fixed by: "rollback" [past_incident:PD-1]',
      ].join('\n'),
    );
    expect(a.evidenceIds).toEqual(['past_incident:PD-1']);
  });

  it('help: what it can answer, and why it is answering with help', () => {
    expect(buildHelpAnswer('not_understood').title).toContain('I did not understand that');
    expect(buildHelpAnswer('outside').title).toContain('incident channels');
    expect(buildHelpAnswer('help').lines.length).toBeGreaterThanOrEqual(10);
  });
});
