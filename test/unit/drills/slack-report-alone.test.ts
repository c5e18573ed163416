// The drill channel's report of a fix the autonomy policy ran alone says so, as the command line's report does,
// instead of "approved by 0 simulated responders".
import { describe, expect, it } from 'vitest';
import type { DrillReport } from '../../../src/drills/model.js';
import { drillReportText } from '../../../src/drills/slack-text.js';

function report(alone: boolean): DrillReport {
  return {
    scenario: 'bad-deploy-search',
    title: 'Bad deploy',
    category: 'bad_deploy',
    runbook: 'rb-high-error-rate',
    incident: 'INC-1',
    outcome: 'mitigated',
    firstMessage: { drillMs: 1500, wallMs: 1500 },
    briefing: { drillMs: 2500, wallMs: 2500 },
    escalation: { drillMs: 2000, wallMs: 2000 },
    mitigation: { drillMs: 66_000, wallMs: 7000 },
    mttrMs: 1_260_000,
    diagnosis: {
      truth: { category: 'bad_deploy', service: 'search', cause: 'd-1', action: 'rollback_deploy' },
      top: { category: 'bad_deploy', service: 'search', cause: 'd-1', confidence: 0.99 },
      right: true,
    },
    steps: [
      {
        runbook: 'rb-high-error-rate',
        step: 2,
        text: 't',
        action: 'rollback_deploy',
        service: 'search',
        approvedBy: alone ? [] : ['U0PRIMARY'],
        status: 'verified',
        worked: true,
        alone,
      },
    ],
    autonomy: {
      allowedAlone: true,
      rule: 'rollback-cited-deploy',
      mode: 'auto',
      decided: { rule: 'rollback-cited-deploy', mode: 'auto', check: 'all_conditions', runsAlone: alone },
    },
    mitigatedAlone: alone,
    outcomeClass: alone ? 'copilot_alone' : 'human_approval',
    pageToFixMs: 66_000,
    escalatedWithInvestigation: true,
    timerSpeed: 20,
    startedAt: '2026-11-24T10:00:00.000Z',
    wallMs: 8000,
    problem: null,
  };
}

describe('drillReportText', () => {
  it('says a fix the policy ran alone was run alone, not approved by nobody', () => {
    const text = drillReportText(report(true), 'rb-high-error-rate');
    expect(text).toContain('rollback_deploy on search (verified), run alone by the policy');
    expect(text).not.toContain('approved by 0');
  });

  it('counts the simulated responders who approved otherwise', () => {
    expect(drillReportText(report(false), 'rb-high-error-rate')).toContain(', approved by 1 simulated responder');
  });
});
