// The remediation policy: a pure decision on whether a catalog action may run now, and whether it needs a human.
import type { ActionDef } from '../config.js';

/** What is known about the person who clicked, gathered by the use case before asking the policy. */
export interface ApproverFacts {
  /** Slack user id of the person who clicked. */
  slackUserId: string;
  /** Their id in the config's users list, when their Slack id or email matches one. */
  configUserId?: string;
  /** They are the current on-call of the action's service. */
  isOncall: boolean;
  /** They are the incident's commander. */
  isCommander: boolean;
  /** Slack user groups (S…) they belong to, among the action's approver groups. */
  userGroups: string[];
}

/** Who is deciding: a person clicking, or the policy itself running an action without a click. */
export type Decider =
  | { type: 'human'; approver: ApproverFacts }
  | {
      type: 'policy';
      /** config `remediation.autoRemediate`. */
      autoRemediate: boolean;
      /** Confidence of the hypothesis the action answers (0..1). */
      confidence: number | null;
    };

/** Everything the policy looks at. Built from Postgres and the config; never from alert or log text. */
export interface PolicyInput {
  /** The action name stored on the run. */
  actionName: string;
  /** The catalog entry with that name, or undefined when the catalog has none. */
  action: ActionDef | undefined;
  /** The service the run targets. */
  service: string;
  /** Another run of the same incident that is approved or running, if any. */
  inFlight: { runId: number; action: string } | null;
  /** The incident's status; nothing runs for a resolved incident. Unknown when omitted. */
  incidentStatus?: string;
  decider: Decider;
  /** Display names of config users, for explanations ("Alice Doe" for "alice"). */
  userNames?: Record<string, string>;
}

/** Stable names of the rule that settled a decision, recorded with it. */
export type PolicyRule =
  | 'unknown_action'
  | 'service_not_allowed'
  | 'remediation_in_flight'
  | 'incident_resolved'
  | 'approver_oncall'
  | 'approver_commander'
  | 'approver_usergroup'
  | 'approver_user'
  | 'approver_not_allowed'
  | 'auto_disabled'
  | 'auto_high_risk'
  | 'auto_no_threshold'
  | 'auto_below_threshold'
  | 'auto_allowed';

/** The policy's answer; `reason` is shown to people as is. */
export interface PolicyDecision {
  allowed: boolean;
  reason: string;
  /** True when a person must decide (the policy will not run it alone). */
  needsHuman: boolean;
  rule: PolicyRule;
}

/** Decides whether the action may run now. Pure: every input is data; the use case records the decision. */
export function decide(input: PolicyInput): PolicyDecision {
  const { action, actionName, service, inFlight, decider } = input;
  if (!action) {
    return deny('unknown_action', `\`${actionName}\` is not an action in the catalog, so it cannot run.`);
  }
  if (action.services.length > 0 && !action.services.includes(service)) {
    return deny('service_not_allowed', `\`${action.name}\` may not run on ${service} (allowed: ${action.services.join(', ')}).`);
  }
  if (input.incidentStatus === 'resolved') {
    return deny('incident_resolved', 'The incident is already resolved; no remediation runs for it.');
  }
  if (inFlight) {
    return deny(
      'remediation_in_flight',
      `Another remediation (\`${inFlight.action}\`, run #${inFlight.runId}) is still in flight for this incident; wait for it to finish.`,
    );
  }
  if (decider.type === 'policy') return decideAlone(action, decider);

  const who = decider.approver;
  const rules = action.approvers;
  if (rules.oncall && who.isOncall) return allow('approver_oncall', `<@${who.slackUserId}> is the on-call for ${service}.`);
  if (rules.commander && who.isCommander) return allow('approver_commander', `<@${who.slackUserId}> is the incident commander.`);
  const group = rules.usergroups.find((g) => who.userGroups.includes(g));
  if (group) return allow('approver_usergroup', `<@${who.slackUserId}> is a member of <!subteam^${group}>.`);
  if (who.configUserId && rules.users.includes(who.configUserId)) {
    return allow('approver_user', `<@${who.slackUserId}> is listed as an approver of \`${action.name}\`.`);
  }
  return deny('approver_not_allowed', `You may not approve \`${action.name}\`: ${describeApprovers(action, service, input.userNames ?? {})}`);
}

function decideAlone(action: ActionDef, decider: Extract<Decider, { type: 'policy' }>): PolicyDecision {
  if (!decider.autoRemediate) return deny('auto_disabled', 'Automatic remediation is off; a person must approve.');
  if (action.risk !== 'low') return deny('auto_high_risk', `\`${action.name}\` is high risk; a person must approve.`);
  if (action.autoRunAbove === undefined) {
    return deny('auto_no_threshold', `\`${action.name}\` has no autoRunAbove threshold; a person must approve.`);
  }
  const confidence = decider.confidence ?? 0;
  if (!(confidence > action.autoRunAbove)) {
    return deny(
      'auto_below_threshold',
      `Confidence ${percent(confidence)} is not above ${percent(action.autoRunAbove)} for \`${action.name}\`; a person must approve.`,
    );
  }
  return {
    allowed: true,
    needsHuman: false,
    rule: 'auto_allowed',
    reason: `\`${action.name}\` is low risk and confidence ${percent(confidence)} is above ${percent(action.autoRunAbove)}, so policy ran it without a click.`,
  };
}

/** "Only the on-call for checkout, the incident commander, members of <!subteam^S1> or Alice may approve it." */
export function describeApprovers(action: ActionDef, service: string, userNames: Record<string, string>): string {
  const who: string[] = [];
  if (action.approvers.oncall) who.push(`the on-call for ${service}`);
  if (action.approvers.commander) who.push('the incident commander');
  for (const g of action.approvers.usergroups) who.push(`members of <!subteam^${g}>`);
  for (const u of action.approvers.users) who.push(userNames[u] ?? u);
  if (who.length === 0) return 'nobody is allowed to approve it (the catalog lists no approvers).';
  const list = who.length === 1 ? who[0]! : `${who.slice(0, -1).join(', ')} or ${who[who.length - 1]}`;
  return `only ${list} may approve it.`;
}

function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function allow(rule: PolicyRule, reason: string): PolicyDecision {
  return { allowed: true, needsHuman: true, rule, reason };
}

function deny(rule: PolicyRule, reason: string): PolicyDecision {
  return { allowed: false, needsHuman: true, rule, reason };
}
