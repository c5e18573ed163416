// A drill's report of a bad deploy of search, mitigated by a verified rollback: run alone by the policy, or approved by
// the simulated primary. The unit tests of the report's text start from it.
import type { DrillReport } from '../../src/drills/model.js';

export function drillReport(alone: boolean): DrillReport {
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
