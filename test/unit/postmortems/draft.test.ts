// The deterministic draft: every section from the timeline's facts, each line citing its event, same input same output.
import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../../src/incidents/timeline-repository.js';
import { buildPostmortemDraft, formatDuration, type DraftInput } from '../../../src/postmortems/draft.js';
import { readFacts } from '../../../src/postmortems/facts.js';
import { citedIds, keepCitedSentences } from '../../../src/postmortems/prose.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const at = (min: number) => new Date(T0 + min * 60_000);
let next = 100;
const ev = (
  min: number,
  type: string,
  data: Record<string, unknown> = {},
  actor: string | null = 'copilot',
): TimelineEvent => ({
  id: next++,
  incidentId: 7,
  at: at(min),
  type,
  actor,
  data,
});

function timeline(): TimelineEvent[] {
  next = 100;
  return [
    ev(0, 'incident.opened'), // 100
    ev(0.5, 'escalation.step', { users: ['priya'] }), // 101
    ev(1, 'investigation.completed', {
      top: { category: 'resource_exhaustion', cause: null, confidence: 0.41, summary: 'CPU' },
    }), // 102
    ev(3, 'incident.acknowledged', {}, 'U0PRIMARY'), // 103
    ev(4, 'investigation.completed', {
      top: { category: 'bad_deploy', cause: 'deploy-8149', confidence: 0.82, summary: 'deploy' },
    }), // 104
    ev(
      5,
      'remediation.approved',
      { runId: 3, action: 'rollback_deploy', service: 'search', cause: 'deploy-8149' },
      'U0PRIMARY',
    ), // 105
    ev(6, 'remediation.succeeded', { runId: 3, action: 'rollback_deploy', detail: 'dispatched' }), // 106
    ev(7, 'remediation.approved', { runId: 4, action: 'restart_pods', service: 'search' }, 'U0LEAD'), // 107
    ev(8, 'remediation.failed', { runId: 4, action: 'restart_pods', detail: 'HTTP 500 from the runner' }), // 108
    ev(16, 'remediation.verified', { runId: 3, action: 'rollback_deploy' }), // 109
    ev(16, 'incident.mitigated'), // 110
    ev(
      30,
      'incident.resolved',
      { resolution: { category: 'bad_deploy', cause: 'deploy-8149', summary: 'Bad build' } },
      'U0PRIMARY',
    ), // 111
    ev(30, 'hypothesis.scored', { correct: true, predicted: 'bad_deploy' }), // 112
  ];
}

function input(): DraftInput {
  return {
    incident: {
      publicId: 'INC-7',
      title: 'Search errors',
      severity: 'sev1',
      service: 'search',
      alertname: 'SearchErrors',
      openedAt: at(0),
    },
    facts: readFacts(timeline()),
    steps: [{ runbook: 'search-errors', step: 2, text: 'Check the dashboards', marks: ['vague: no threshold'] }],
    rootCauseEvidence: ['deploy deploy-8149: deployed 2 minutes before the onset'],
  };
}

describe('buildPostmortemDraft', () => {
  it('writes the timeline in order, each line citing its event: page, ack, each hypothesis and how it moved, each action', () => {
    const { markdown } = buildPostmortemDraft(input());
    const section = markdown.split('## Timeline\n\n')[1]!.split('\n\n')[0]!.split('\n');
    expect(section).toEqual([
      '- 10:00:00Z Incident opened [ev:100]',
      '- 10:00:30Z Paged priya [ev:101]',
      '- 10:01:00Z Hypothesis: resource exhaustion (41%) [ev:102]',
      '- 10:03:00Z Acknowledged by @U0PRIMARY [ev:103]',
      '- 10:04:00Z Hypothesis moved to: bad deploy (deploy-8149) (82%) [ev:104]',
      '- 10:06:00Z `rollback_deploy` on search: approved by @U0PRIMARY [ev:105]; ran [ev:106]; verification passed [ev:109]',
      '- 10:08:00Z `restart_pods` on search: approved by @U0LEAD [ev:107]; failed (HTTP 500 from the runner) [ev:108]',
      '- 10:16:00Z Mitigated [ev:110]',
      '- 10:30:00Z Resolved by @U0PRIMARY [ev:111]',
    ]);
  });

  it('states impact, the confirmed root cause with its evidence, and measured went-well / went-badly lines', () => {
    const { markdown, followUps } = buildPostmortemDraft(input());
    expect(markdown).toContain('- Severity: SEV1 [ev:100]');
    expect(markdown).toContain('- Duration: 30m (opened to resolved) [ev:111]');
    expect(markdown).toContain('Confirmed at resolve: bad deploy, deploy-8149 [ev:111].');
    expect(markdown).toContain("The copilot's top hypothesis (bad_deploy) was right [ev:112].");
    expect(markdown).toContain('- deploy deploy-8149: deployed 2 minutes before the onset [ev:104]');
    expect(markdown).toContain('- Time to acknowledge: 3m [ev:103]');
    expect(markdown).toContain('- Time to mitigate: 16m [ev:110]');
    expect(markdown).toContain('- Step `restart_pods` failed [ev:108]');
    expect(markdown).toContain('- Runbook search-errors step 2 was flagged: vague: no threshold [ev:104]');
    expect(followUps.map((f) => f.title)).toEqual([
      'Fix the `restart_pods` step that failed in INC-7',
      'Make runbook search-errors step 2 concrete',
    ]);
    expect(markdown).toContain('- [ ] Fix the `restart_pods` step that failed in INC-7');
  });

  it('states the SLO budget the incident spent, citing the event that recorded it', () => {
    const i = input();
    const events = timeline();
    events.push(ev(30, 'slo.budget_spent', { slo: 'search-availability', spent: 0.1234, period: '30d' })); // 113
    i.facts = readFacts(events);
    const { markdown } = buildPostmortemDraft(i);
    const impact = markdown.split('## Impact\n\n')[1]!.split('\n\n')[0]!;
    expect(impact).toContain('- SLO budget spent: search-availability spent 12.3% of its 30d error budget [ev:113]');
    expect(buildPostmortemDraft(input()).markdown).not.toContain('SLO budget spent');
  });

  it('is deterministic and cites only events of the timeline', () => {
    const a = buildPostmortemDraft(input()).markdown;
    expect(buildPostmortemDraft(input()).markdown).toBe(a);
    const ids = new Set(timeline().map((e) => e.id));
    for (const id of citedIds(a)) expect(ids.has(id)).toBe(true);
  });

  it('says nobody acknowledged when nobody did, and omits what the timeline lacks', () => {
    const i = input();
    i.facts = readFacts(
      timeline().filter((e) => e.type !== 'incident.acknowledged' && e.type !== 'incident.mitigated'),
    );
    const { markdown } = buildPostmortemDraft(i);
    expect(markdown).toContain('- Nobody acknowledged the page [ev:111]');
    expect(markdown).toContain('- Never marked mitigated before resolve [ev:111]');
    expect(markdown).not.toContain('Time to acknowledge');
  });

  it('formats durations', () => {
    expect([formatDuration(45_000), formatDuration(750_000), formatDuration(3_840_000)]).toEqual([
      '45s',
      '12m 30s',
      '1h 4m',
    ]);
  });
});

describe('keepCitedSentences (the model may only reword cited facts)', () => {
  it('drops sentences without a citation or citing an event the draft did not cite, keeps headings and the follow-ups', () => {
    const draft = '# P\n\n## Summary\n\nPaged [ev:1]. Resolved [ev:2].\n\n## Follow-up actions\n\n- [ ] Fix it\n';
    const improved =
      '# P\n\n## Summary\n\nThe service was paged at ten [ev:1]. Engineers were heroic. It was fixed by magic [ev:99]. It was resolved quickly [ev:2].\n\n## Follow-up actions\n\n- [ ] Something invented\n';
    expect(keepCitedSentences(improved, draft)).toBe(
      '# P\n\n## Summary\n\nThe service was paged at ten [ev:1]. It was resolved quickly [ev:2].\n\n## Follow-up actions\n\n- [ ] Fix it\n',
    );
  });
});
