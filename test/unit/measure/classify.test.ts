import { describe, expect, it } from 'vitest';
import { classifyMitigation, timeToMitigateMs, type OutcomeEvent } from '../../../src/measure/classify.js';

const t = (min: number) => new Date(Date.UTC(2026, 10, 24, 10, min));
const ev = (min: number, type: string, actor: string | null, data: Record<string, unknown> = {}): OutcomeEvent => ({
  type,
  actor,
  at: t(min),
  data,
});
const approved = (min: number, runId: number, by: string) =>
  ev(min, 'remediation.approved', by, { runId, action: 'rollback_deploy', service: 'checkout' });

describe('classifyMitigation', () => {
  it('a run the policy approved, verified, that mitigated the incident: the copilot alone', () => {
    const m = classifyMitigation([
      ev(0, 'incident.opened', 'copilot'),
      approved(1, 7, 'policy'),
      ev(2, 'remediation.succeeded', 'copilot', { runId: 7 }),
      ev(4, 'remediation.verified', 'copilot', { runId: 7 }),
      ev(4, 'incident.mitigated', 'copilot', { via: 'remediation' }),
      ev(9, 'incident.resolved', 'U1'),
    ]);
    expect(m).toEqual({
      class: 'copilot_alone',
      mitigatedAt: t(4),
      runId: 7,
      actionsAlone: [{ runId: 7, action: 'rollback_deploy', service: 'checkout', outcome: 'verified' }],
    });
  });

  it('a run a person approved that was verified: with a human approval', () => {
    const m = classifyMitigation([
      approved(1, 3, 'U0PRIYA'),
      ev(4, 'remediation.verified', 'copilot', { runId: 3 }),
      ev(4, 'incident.mitigated', 'copilot', { via: 'remediation' }),
      ev(9, 'incident.resolved', 'U1'),
    ]);
    expect(m.class).toBe('human_approval');
    expect(m.runId).toBe(3);
    expect(m.actionsAlone).toEqual([]);
  });

  it('an action run alone that did not help, then people fixed it: humans, and the action counts as not recovered', () => {
    const m = classifyMitigation([
      approved(1, 5, 'policy'),
      ev(4, 'remediation.not_recovered', 'copilot', { runId: 5 }),
      ev(20, 'incident.mitigated', 'U0SAM'),
      ev(30, 'incident.resolved', 'U0SAM'),
    ]);
    expect(m.class).toBe('humans');
    expect(m.runId).toBeNull();
    expect(m.actionsAlone).toEqual([
      { runId: 5, action: 'rollback_deploy', service: 'checkout', outcome: 'not_recovered' },
    ]);
  });

  it('a person marking it mitigated before the verified run keeps it theirs; so does a recovery not credited', () => {
    expect(
      classifyMitigation([
        approved(1, 5, 'policy'),
        ev(2, 'incident.mitigated', 'U0SAM'),
        ev(4, 'remediation.verified', 'copilot', { runId: 5 }),
        ev(9, 'incident.resolved', 'U0SAM'),
      ]).class,
    ).toBe('humans');
    expect(
      classifyMitigation([
        approved(1, 5, 'policy'),
        ev(4, 'remediation.not_credited', 'copilot', { runId: 5 }),
        ev(4, 'incident.mitigated', 'copilot', { via: 'sli_recovered' }),
        ev(9, 'incident.resolved', 'U0SAM'),
      ]).class,
    ).toBe('humans');
  });

  it('resolved with no mitigation and no run: humans; a verified run after the resolve does not count', () => {
    expect(classifyMitigation([ev(9, 'incident.resolved', 'U0SAM')])).toEqual({
      class: 'humans',
      mitigatedAt: null,
      runId: null,
      actionsAlone: [],
    });
    expect(
      classifyMitigation([
        approved(1, 5, 'policy'),
        ev(9, 'incident.resolved', 'U0SAM'),
        ev(10, 'remediation.verified', 'copilot', { runId: 5 }),
      ]).class,
    ).toBe('humans');
  });
});

describe('timeToMitigateMs', () => {
  it('runs from opened to mitigated, or to resolved when never mitigated', () => {
    expect(timeToMitigateMs(t(0), t(4), t(9))).toBe(4 * 60_000);
    expect(timeToMitigateMs(t(0), null, t(9))).toBe(9 * 60_000);
    expect(timeToMitigateMs(t(5), t(4), t(9))).toBe(0);
  });
});
