// The remediation policy: a pure decision on whether a catalog action may run now, and whether it needs a human.
// Who may approve is the authorization model's (src/authorization/access.ts), with the action's approvers as the rule.
import type { ActionDef } from '../config.js';
import { approverRule, authorizeFacts, type ActorFacts, type RoleHolders } from '../authorization/access.js';
import type { AutonomyVerdict } from '../autonomy/policy-table.js';

/** What is known about the person who clicked, gathered by the use case before asking the policy. */
export type ApproverFacts = ActorFacts;

/** Who is deciding: a person clicking, or the policy itself running an action without a click. */
export type Decider =
  | { type: 'human'; approver: ApproverFacts; /** Who holds each role, for the refusal. */ holders?: RoleHolders }
  | {
      type: 'policy';
      /** config `remediation.autoRemediate`. */
      autoRemediate: boolean;
      /** Confidence of the hypothesis the action answers (0..1). */
      confidence: number | null;
      /** The autonomy table's verdict (src/autonomy/policy-table.ts); it decides when given. */
      autonomy?: AutonomyVerdict;
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
  | 'approver_responder'
  | 'approver_team_lead'
  | 'approver_not_allowed'
  | 'approver_already_approved'
  | 'auto_disabled'
  | 'auto_high_risk'
  | 'auto_no_threshold'
  | 'auto_below_threshold'
  | 'auto_allowed'
  /** Decided by the autonomy table: `autonomy_<check>` (allowed, paused, mode, shadow, min_confidence, ...). */
  | `autonomy_${AutonomyVerdict['check']}`;

/** The policy's answer; `reason` is shown to people as is. */
export interface PolicyDecision {
  allowed: boolean;
  reason: string;
  /** True when a person must decide (the policy will not run it alone). */
  needsHuman: boolean;
  rule: PolicyRule;
  /** For a decision of the autonomy table: the config rule that decided, and its mode. */
  autonomy?: { rule: string; mode: AutonomyVerdict['mode'] };
}

/** Decides whether the action may run now. Pure: every input is data; the use case records the decision. */
export function decide(input: PolicyInput): PolicyDecision {
  const { action, actionName, service, inFlight, decider } = input;
  if (!action) {
    return deny('unknown_action', `\`${actionName}\` is not an action in the catalog, so it cannot run.`);
  }
  if (action.services.length > 0 && !action.services.includes(service)) {
    return deny(
      'service_not_allowed',
      `\`${action.name}\` may not run on ${service} (allowed: ${action.services.join(', ')}).`,
    );
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
  const holders: RoleHolders = decider.holders ?? {
    oncallOf: service,
    commander: undefined,
    team: null,
    lead: null,
    userNames: input.userNames ?? {},
  };
  const access = authorizeFacts('approve_remediation', `\`${action.name}\``, approverRule(action), who, holders);
  if (!access.allowed) return deny('approver_not_allowed', access.reason);
  const rules: Record<string, PolicyRule> = {
    oncall: 'approver_oncall',
    commander: 'approver_commander',
    usergroup: 'approver_usergroup',
    user: 'approver_user',
    responder: 'approver_responder',
    team_lead: 'approver_team_lead',
  };
  return allow(rules[access.role!] ?? 'approver_user', access.reason);
}

function decideAlone(action: ActionDef, decider: Extract<Decider, { type: 'policy' }>): PolicyDecision {
  const v = decider.autonomy;
  if (v)
    return {
      allowed: v.runsAlone,
      needsHuman: !v.runsAlone,
      rule: `autonomy_${v.check}`,
      reason: v.reason,
      autonomy: { rule: v.rule, mode: v.mode },
    };
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

function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function allow(rule: PolicyRule, reason: string): PolicyDecision {
  return { allowed: true, needsHuman: true, rule, reason };
}

function deny(rule: PolicyRule, reason: string): PolicyDecision {
  return { allowed: false, needsHuman: true, rule, reason };
}
