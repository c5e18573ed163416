// The authorization model as a table: every action against every role, with the defaults of an empty config.
import { describe, expect, it } from 'vitest';
import { actionSchema, parseFileConfig, type AuthzAction } from '../../../src/config.js';
import {
  approvalsRequired,
  approverRule,
  authorizeFacts,
  decideAccess,
  type AccessAction,
  type ActorFacts,
  type RoleHolders,
} from '../../../src/authorization/access.js';

const nobody: ActorFacts = {
  slackUserId: 'U9',
  isOncall: false,
  isCommander: false,
  isResponder: false,
  isTeamLead: false,
  userGroups: [],
};
const ROLES: Record<string, ActorFacts> = {
  nobody,
  oncall: { ...nobody, isOncall: true },
  commander: { ...nobody, isCommander: true },
  responder: { ...nobody, isResponder: true },
  teamLead: { ...nobody, isTeamLead: true },
  groupMember: { ...nobody, userGroups: ['S0SRE'] },
  namedUser: { ...nobody, configUserId: 'alice' },
};

// Written out by hand (not derived from the code): what an on-call engineer expects of an empty config.
const Y = true;
const N = false;
const EXPECTED: Record<AccessAction, Record<keyof typeof ROLES, boolean>> = {
  acknowledge: { nobody: N, oncall: Y, commander: Y, responder: Y, teamLead: N, groupMember: N, namedUser: N },
  escalate: { nobody: N, oncall: Y, commander: Y, responder: Y, teamLead: N, groupMember: N, namedUser: N },
  resolve: { nobody: N, oncall: Y, commander: Y, responder: Y, teamLead: N, groupMember: N, namedUser: N },
  change_severity: { nobody: N, oncall: Y, commander: Y, responder: Y, teamLead: N, groupMember: N, namedUser: N },
  change_commander: { nobody: N, oncall: Y, commander: Y, responder: N, teamLead: N, groupMember: N, namedUser: N },
  swap_oncall: { nobody: N, oncall: Y, commander: N, responder: N, teamLead: Y, groupMember: N, namedUser: N },
  reject_remediation: { nobody: N, oncall: Y, commander: Y, responder: Y, teamLead: N, groupMember: N, namedUser: N },
  declare: { nobody: Y, oncall: Y, commander: Y, responder: Y, teamLead: Y, groupMember: Y, namedUser: Y },
  publish_postmortem: { nobody: N, oncall: N, commander: Y, responder: N, teamLead: Y, groupMember: N, namedUser: N },
  approve_remediation: { nobody: N, oncall: Y, commander: Y, responder: N, teamLead: N, groupMember: N, namedUser: N },
  assign_role: { nobody: N, oncall: Y, commander: Y, responder: N, teamLead: N, groupMember: N, namedUser: N },
  post_update: { nobody: N, oncall: Y, commander: Y, responder: Y, teamLead: N, groupMember: N, namedUser: N },
  pause_autonomy: { nobody: N, oncall: Y, commander: Y, responder: N, teamLead: Y, groupMember: N, namedUser: N },
  resume_autonomy: { nobody: N, oncall: N, commander: Y, responder: N, teamLead: Y, groupMember: N, namedUser: N },
  split_incident: { nobody: N, oncall: Y, commander: Y, responder: N, teamLead: N, groupMember: N, namedUser: N },
  merge_incident: { nobody: N, oncall: Y, commander: Y, responder: N, teamLead: N, groupMember: N, namedUser: N },
  run_drill: { nobody: N, oncall: Y, commander: N, responder: N, teamLead: Y, groupMember: N, namedUser: N },
};

const rollback = actionSchema.parse({ name: 'rollback_deploy', runner: { type: 'sandbox' } });
const defaults = parseFileConfig({}).authorization;
const ruleOf = (action: AccessAction) =>
  action === 'approve_remediation' ? approverRule(rollback) : defaults[action as AuthzAction];
const holders: RoleHolders = {
  oncallOf: 'checkout',
  oncall: ['<@U1>', '<@U2>'],
  commander: 'U3',
  team: 'payments',
  lead: '<@U4>',
  userNames: { alice: 'Alice' },
};

describe('authorize: every action × every role, with the defaults', () => {
  const cases = Object.entries(EXPECTED).flatMap(([action, byRole]) =>
    Object.entries(byRole).map(([role, allowed]) => ({ action: action as AccessAction, role, allowed })),
  );
  it.each(cases)('$action by $role: allowed=$allowed', ({ action, role, allowed }) => {
    const d = authorizeFacts(action, 'INC-1', ruleOf(action), ROLES[role]!, holders);
    expect(d.allowed).toBe(allowed);
    if (allowed) expect(d.role).not.toBeNull();
    else {
      expect(d.role).toBeNull();
      expect(d.reason).toMatch(/^Only .+ may /);
    }
  });

  it('covers every configurable action', () => {
    expect(Object.keys(defaults).sort()).toEqual(
      Object.keys(EXPECTED)
        .filter((a) => a !== 'approve_remediation')
        .sort(),
    );
  });
});

describe('authorize: configured rules', () => {
  it('keeps an action’s defaults for the fields a config leaves out, and adds groups and users', () => {
    const auth = parseFileConfig({
      users: [{ id: 'alice', name: 'Alice' }],
      authorization: { acknowledge: { responders: false, usergroups: ['S0SRE'], users: ['alice'] } },
    }).authorization;
    const allowed = (facts: ActorFacts) => decideAccess(auth.acknowledge, facts).allowed;
    expect(allowed(ROLES.oncall!)).toBe(true);
    expect(allowed(ROLES.commander!)).toBe(true);
    expect(allowed(ROLES.responder!)).toBe(false);
    expect(decideAccess(auth.acknowledge, ROLES.groupMember!)).toEqual({ allowed: true, role: 'usergroup' });
    expect(decideAccess(auth.acknowledge, ROLES.namedUser!)).toEqual({ allowed: true, role: 'user' });
    expect(allowed(nobody)).toBe(false);
  });

  it('rejects an unknown action, a bad group id and an unknown user in the config', () => {
    expect(() => parseFileConfig({ authorization: { approve: { anyone: true } } })).toThrow(/authorization/);
    expect(() => parseFileConfig({ authorization: { resolve: { usergroups: ['sre'] } } })).toThrow(
      /Slack user group id/,
    );
    expect(() => parseFileConfig({ authorization: { resolve: { users: ['ghost'] } } })).toThrow(
      /authorization.resolve.users.0: unknown user "ghost"/,
    );
  });

  it('a catalog action names its own approvers and how many', () => {
    const a = actionSchema.parse({
      name: 'scale_out',
      runner: { type: 'sandbox' },
      risk: 'low',
      approvers: { oncall: false, commander: false, usergroups: ['S0SRE'], count: 2 },
    });
    expect(decideAccess(approverRule(a), ROLES.oncall!).allowed).toBe(false);
    expect(decideAccess(approverRule(a), ROLES.groupMember!).allowed).toBe(true);
    expect(approvalsRequired(a)).toBe(2);
    expect(approvalsRequired(rollback)).toBe(2); // high risk by default
    expect(approvalsRequired(actionSchema.parse({ name: 'free_disk', runner: { type: 'sandbox' }, risk: 'low' }))).toBe(
      1,
    );
  });
});

describe('the refusal names who may', () => {
  it('lists the on-call and the commander by mention', () => {
    const d = authorizeFacts('acknowledge', 'INC-1', { ...defaults.acknowledge, responders: false }, nobody, holders);
    expect(d.reason).toBe(
      'Only the on-call for checkout (<@U1>, <@U2>) or the commander (<@U3>) may acknowledge INC-1.',
    );
  });

  it('says when nobody holds a role, and names the lead of a rotation', () => {
    const d = authorizeFacts('change_commander', 'INC-1', defaults.change_commander, nobody, {
      ...holders,
      oncall: [],
      commander: null,
    });
    expect(d.reason).toBe(
      'Only the on-call for checkout (nobody is on call now) or the commander (none yet) may take or give command of INC-1.',
    );
    const swap = authorizeFacts('swap_oncall', 'the payments rotation', defaults.swap_oncall, nobody, {
      ...holders,
      oncallOf: 'the payments rotation',
    });
    expect(swap.reason).toBe(
      'Only the on-call for the payments rotation (<@U1>, <@U2>) or the lead of payments (<@U4>) may swap on-call on the payments rotation.',
    );
  });

  it('says why someone was allowed', () => {
    expect(authorizeFacts('resolve', 'INC-1', defaults.resolve, ROLES.commander!, holders)).toEqual({
      allowed: true,
      role: 'commander',
      reason: '<@U9> may resolve INC-1 (as the commander).',
    });
  });
});
