// The remediation policy: every branch of decide(), and how approvers are described to someone refused.
import { describe, expect, it } from 'vitest';
import { actionSchema, type ActionDef } from '../../../src/config.js';
import { decide, type ApproverFacts, type PolicyInput } from '../../../src/remediation/policy.js';

function action(overrides: Record<string, unknown> = {}): ActionDef {
  return actionSchema.parse({
    name: 'rollback_deploy',
    runner: { type: 'github_workflow', repo: 'acme/deploys', workflow: 'rollback.yml' },
    services: ['checkout'],
    ...overrides,
  });
}

function person(overrides: Partial<ApproverFacts> = {}): ApproverFacts {
  return {
    slackUserId: 'U1',
    isOncall: false,
    isCommander: false,
    isResponder: false,
    isTeamLead: false,
    userGroups: [],
    ...overrides,
  };
}

function input(overrides: Partial<PolicyInput> = {}): PolicyInput {
  const a = action();
  return {
    actionName: a.name,
    action: a,
    service: 'checkout',
    inFlight: null,
    decider: { type: 'human', approver: person({ isOncall: true }) },
    ...overrides,
  };
}

describe('decide: checks that apply to everyone', () => {
  it('refuses an action that is not in the catalog, naming it', () => {
    const d = decide(input({ actionName: 'drop_database', action: undefined }));
    expect(d).toEqual({
      allowed: false,
      needsHuman: true,
      rule: 'unknown_action',
      reason: '`drop_database` is not an action in the catalog, so it cannot run.',
    });
  });

  it('refuses an action on a service it is not allowed on', () => {
    const d = decide(input({ service: 'payments' }));
    expect(d.allowed).toBe(false);
    expect(d.rule).toBe('service_not_allowed');
    expect(d.reason).toBe('`rollback_deploy` may not run on payments (allowed: checkout).');
  });

  it('allows any service when the action lists none', () => {
    const a = action({ services: [] });
    expect(decide(input({ action: a, service: 'anything' })).allowed).toBe(true);
  });

  it('refuses while another remediation of the incident is in flight, even to the on-call', () => {
    const d = decide(input({ inFlight: { runId: 7, action: 'scale_out' } }));
    expect(d).toEqual({
      allowed: false,
      needsHuman: true,
      rule: 'remediation_in_flight',
      reason: 'Another remediation (`scale_out`, run #7) is still in flight for this incident; wait for it to finish.',
    });
  });

  it('refuses anything for a resolved incident, and allows it while the incident is open', () => {
    expect(decide(input({ incidentStatus: 'resolved' }))).toEqual({
      allowed: false,
      needsHuman: true,
      rule: 'incident_resolved',
      reason: 'The incident is already resolved; no remediation runs for it.',
    });
    expect(decide(input({ incidentStatus: 'mitigated' })).allowed).toBe(true);
  });

  it('checks the catalog before the service, and the service before what is in flight', () => {
    expect(decide(input({ action: undefined, service: 'payments', inFlight: { runId: 1, action: 'x' } })).rule).toBe(
      'unknown_action',
    );
    expect(decide(input({ service: 'payments', inFlight: { runId: 1, action: 'x' } })).rule).toBe(
      'service_not_allowed',
    );
  });
});

describe('decide: a person clicking Approve', () => {
  it("allows the service's on-call", () => {
    expect(decide(input())).toEqual({
      allowed: true,
      needsHuman: true,
      rule: 'approver_oncall',
      reason: '<@U1> may approve `rollback_deploy` (as the on-call for checkout).',
    });
  });

  it('does not count the on-call when the action does not let the on-call approve', () => {
    const a = action({ approvers: { oncall: false, commander: false } });
    expect(decide(input({ action: a })).rule).toBe('approver_not_allowed');
  });

  it('allows the incident commander', () => {
    const d = decide(input({ decider: { type: 'human', approver: person({ isCommander: true }) } }));
    expect(d).toMatchObject({ allowed: true, rule: 'approver_commander' });
  });

  it('does not count the commander when the action does not let the commander approve', () => {
    const a = action({ approvers: { oncall: false, commander: false } });
    expect(
      decide(input({ action: a, decider: { type: 'human', approver: person({ isCommander: true }) } })).allowed,
    ).toBe(false);
  });

  it('allows a member of an approving user group', () => {
    const a = action({ approvers: { oncall: false, commander: false, usergroups: ['S0SRE'] } });
    const d = decide(input({ action: a, decider: { type: 'human', approver: person({ userGroups: ['S0SRE'] }) } }));
    expect(d).toEqual({
      allowed: true,
      needsHuman: true,
      rule: 'approver_usergroup',
      reason: '<@U1> may approve `rollback_deploy` (as a member of <!subteam^S0SRE>).',
    });
  });

  it('allows a listed user, matched by config user id', () => {
    const a = action({ approvers: { oncall: false, commander: false, users: ['alice'] } });
    const d = decide(input({ action: a, decider: { type: 'human', approver: person({ configUserId: 'alice' }) } }));
    expect(d).toMatchObject({
      allowed: true,
      rule: 'approver_user',
      reason: '<@U1> may approve `rollback_deploy` (as a named user).',
    });
  });

  it('refuses anyone else and says who may approve', () => {
    const a = action({ approvers: { usergroups: ['S0SRE'], users: ['alice', 'bob'] } });
    const d = decide(
      input({
        action: a,
        decider: { type: 'human', approver: person({ configUserId: 'carol', userGroups: [] }) },
        userNames: { alice: 'Alice Doe' },
      }),
    );
    expect(d).toEqual({
      allowed: false,
      needsHuman: true,
      rule: 'approver_not_allowed',
      reason:
        'Only the on-call for checkout, the commander, members of <!subteam^S0SRE>, Alice Doe or bob may approve `rollback_deploy`.',
    });
  });
});

describe('decide: policy running an action without a click', () => {
  const auto = (confidence: number | null, autoRemediate = true): PolicyInput['decider'] => ({
    type: 'policy',
    autoRemediate,
    confidence,
  });
  const lowRisk = action({ risk: 'low', autoRunAbove: 0.8 });

  it('runs a low-risk action when confidence is above its threshold', () => {
    expect(decide(input({ action: lowRisk, decider: auto(0.9) }))).toEqual({
      allowed: true,
      needsHuman: false,
      rule: 'auto_allowed',
      reason: '`rollback_deploy` is low risk and confidence 90% is above 80%, so policy ran it without a click.',
    });
  });

  it('needs a human when automatic remediation is off', () => {
    expect(decide(input({ action: lowRisk, decider: auto(0.99, false) }))).toMatchObject({
      allowed: false,
      needsHuman: true,
      rule: 'auto_disabled',
    });
  });

  it('needs a human for a high-risk action however confident', () => {
    const high = action({ risk: 'high', autoRunAbove: 0.1 });
    expect(decide(input({ action: high, decider: auto(0.99) }))).toMatchObject({
      allowed: false,
      needsHuman: true,
      rule: 'auto_high_risk',
    });
  });

  it('needs a human when the action has no autoRunAbove threshold', () => {
    const noThreshold = action({ risk: 'low' });
    expect(decide(input({ action: noThreshold, decider: auto(0.99) }))).toMatchObject({
      allowed: false,
      rule: 'auto_no_threshold',
    });
  });

  it('needs a human at exactly the threshold (it must be above) and with no confidence at all', () => {
    expect(decide(input({ action: lowRisk, decider: auto(0.8) }))).toMatchObject({
      allowed: false,
      rule: 'auto_below_threshold',
      reason: 'Confidence 80% is not above 80% for `rollback_deploy`; a person must approve.',
    });
    expect(decide(input({ action: lowRisk, decider: auto(null) })).rule).toBe('auto_below_threshold');
  });

  it('still refuses an unknown action, a wrong service or a run in flight', () => {
    expect(decide(input({ action: undefined, decider: auto(1) })).rule).toBe('unknown_action');
    expect(decide(input({ action: lowRisk, service: 'payments', decider: auto(1) })).rule).toBe('service_not_allowed');
    expect(decide(input({ action: lowRisk, inFlight: { runId: 2, action: 'x' }, decider: auto(1) })).rule).toBe(
      'remediation_in_flight',
    );
  });
});

describe('who may approve, as a refusal says it', () => {
  const refuse = (approvers: Record<string, unknown>) =>
    decide(input({ action: action({ approvers }), decider: { type: 'human', approver: person() } })).reason;

  it('says nobody may approve when the catalog lists no approvers', () => {
    expect(refuse({ oncall: false, commander: false })).toBe(
      'Nobody may approve `rollback_deploy` (the configuration allows no one).',
    );
  });

  it('names a single approver without a list, and the people holding the role when they are known', () => {
    expect(refuse({ oncall: true, commander: false })).toBe(
      'Only the on-call for checkout may approve `rollback_deploy`.',
    );
    const d = decide(
      input({
        decider: {
          type: 'human',
          approver: person(),
          holders: {
            oncallOf: 'checkout',
            oncall: ['<@U2>', '<@U3>'],
            commander: null,
            team: 'payments',
            lead: null,
            userNames: {},
          },
        },
      }),
    );
    expect(d.reason).toBe(
      'Only the on-call for checkout (<@U2>, <@U3>) or the commander (none yet) may approve `rollback_deploy`.',
    );
  });
});
