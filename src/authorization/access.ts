// The authorization model, pure: which role lets a person do an action, and how to tell someone refused who may.
import type { ActionDef, AuthzAction, RoleRule } from '../config.js';

/** Every decision the model takes: the configured actions, and approving (or undoing with) a catalog action. */
export type AccessAction = AuthzAction | 'approve_remediation';

/** The role that let someone act, recorded with the decision. */
export type AccessRole = 'oncall' | 'commander' | 'responder' | 'team_lead' | 'usergroup' | 'user' | 'anyone';

/** What is known about the person acting, gathered from Postgres, the config and Slack (never from message text). */
export interface ActorFacts {
  /** Slack user id. */
  slackUserId: string;
  /** Their id in the config's users, when their Slack id or email matches one. */
  configUserId?: string;
  isOncall: boolean;
  isCommander: boolean;
  isResponder: boolean;
  isTeamLead: boolean;
  /** The Slack user groups (S…) they belong to, among the ones the rule names. */
  userGroups: string[];
}

/** The people behind each role, for the refusal ("Only the on-call for checkout (<@U1>, <@U2>) or the commander…"). */
export interface RoleHolders {
  /** What the on-call is the on-call of: "checkout", "checkout (the paged service)", "the payments rotation". */
  oncallOf: string;
  /** Mentions or names of the on-call now; empty when nobody is; unset when not known. */
  oncall?: string[];
  /** Slack user id of the commander, or null when the incident has none; unset when not known. */
  commander?: string | null;
  /** Team whose lead counts, and the lead's mention. */
  team: string | null;
  lead: string | null;
  /** Display names of config users, for the rule's `users`. */
  userNames: Record<string, string>;
}

export interface AccessDecision {
  allowed: boolean;
  /** The role that allowed it; null when refused. */
  role: AccessRole | null;
  /** Said to the person when refused; recorded either way. */
  reason: string;
}

/** The verb of each action in a refusal: "Only … may acknowledge INC-12." */
export function verbOf(action: AccessAction, object: string): string {
  const verbs: Record<AccessAction, string> = {
    acknowledge: `acknowledge ${object}`,
    escalate: `escalate ${object}`,
    resolve: `resolve ${object}`,
    change_severity: `change the severity of ${object}`,
    change_commander: `take or give command of ${object}`,
    swap_oncall: `swap on-call on ${object}`,
    reject_remediation: `reject ${object}`,
    declare: 'declare an incident',
    publish_postmortem: `edit, publish or discard ${object}`,
    approve_remediation: `approve ${object}`,
    assign_role: `assign roles in ${object}`,
    post_update: `post status updates for ${object}`,
    pause_autonomy: `pause ${object}`,
    resume_autonomy: `resume ${object}`,
    split_incident: `split services out of ${object}`,
    merge_incident: `merge other incidents into ${object}`,
    run_drill: `run a drill of ${object}`,
  };
  return verbs[action];
}

/** The rule of a catalog action's approvers, in the model's terms. */
export function approverRule(action: ActionDef): RoleRule {
  const a = action.approvers;
  return {
    oncall: a.oncall,
    commander: a.commander,
    responders: a.responders,
    teamLead: a.teamLead,
    usergroups: a.usergroups,
    users: a.users,
    anyone: false,
  };
}

/** How many distinct people must approve the action: its `approvers.count`, else 2 when high risk and 1 when low. */
export function approvalsRequired(action: ActionDef): number {
  return action.approvers.count ?? (action.risk === 'high' ? 2 : 1);
}

/** Decides whether `who` may act under `rule`. Pure: the first role that matches, in the order the roles are listed. */
export function decideAccess(rule: RoleRule, who: ActorFacts): { allowed: boolean; role: AccessRole | null } {
  if (rule.anyone) return { allowed: true, role: 'anyone' };
  if (rule.oncall && who.isOncall) return { allowed: true, role: 'oncall' };
  if (rule.commander && who.isCommander) return { allowed: true, role: 'commander' };
  if (rule.responders && who.isResponder) return { allowed: true, role: 'responder' };
  if (rule.teamLead && who.isTeamLead) return { allowed: true, role: 'team_lead' };
  if (rule.usergroups.some((g) => who.userGroups.includes(g))) return { allowed: true, role: 'usergroup' };
  if (who.configUserId && rule.users.includes(who.configUserId)) return { allowed: true, role: 'user' };
  return { allowed: false, role: null };
}

/** "the on-call for checkout (<@U1>, <@U2>), the commander (<@U3>) or members of <!subteam^S1>"; empty when nobody may. */
export function describeRoles(rule: RoleRule, holders: RoleHolders): string {
  if (rule.anyone) return 'anyone';
  const list = (people: string[], none: string) =>
    people.length ? people.slice(0, 5).join(', ') + (people.length > 5 ? ', …' : '') : none;
  const parts: string[] = [];
  const known = (text: string | undefined) => (text === undefined ? '' : ` (${text})`);
  if (rule.oncall)
    parts.push(
      `the on-call for ${holders.oncallOf}${known(holders.oncall && list(holders.oncall, 'nobody is on call now'))}`,
    );
  if (rule.commander)
    parts.push(
      `the commander${known(holders.commander === undefined ? undefined : holders.commander ? `<@${holders.commander}>` : 'none yet')}`,
    );
  if (rule.responders) parts.push('the responders the copilot invited');
  if (rule.teamLead)
    parts.push(holders.team ? `the lead of ${holders.team} (${holders.lead ?? 'none set'})` : 'the team lead');
  for (const g of rule.usergroups) parts.push(`members of <!subteam^${g}>`);
  for (const u of rule.users) parts.push(holders.userNames[u] ?? u);
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}

/** The whole decision with its reason: why it was allowed, or who may (the refusal says so). */
export function authorizeFacts(
  action: AccessAction,
  object: string,
  rule: RoleRule,
  who: ActorFacts,
  holders: RoleHolders,
): AccessDecision {
  const d = decideAccess(rule, who);
  const verb = verbOf(action, object);
  if (d.allowed) {
    const as: Record<AccessRole, string> = {
      anyone: 'anyone may',
      oncall: `as the on-call for ${holders.oncallOf}`,
      commander: 'as the commander',
      responder: 'as a responder',
      team_lead: `as the lead of ${holders.team ?? 'the team'}`,
      usergroup: `as a member of <!subteam^${rule.usergroups.find((g) => who.userGroups.includes(g))}>`,
      user: 'as a named user',
    };
    return { allowed: true, role: d.role, reason: `<@${who.slackUserId}> may ${verb} (${as[d.role!]}).` };
  }
  const roles = describeRoles(rule, holders);
  return {
    allowed: false,
    role: null,
    reason: roles ? `Only ${roles} may ${verb}.` : `Nobody may ${verb} (the configuration allows no one).`,
  };
}
