// Who may do what to an incident or a rotation: the file's `authorization` section and its defaults.
import { z } from 'zod';

/** What people may do to an incident or a rotation; each is allowed to the roles its rule lists (see authorization). */
export const AUTHZ_ACTIONS = [
  'acknowledge',
  'escalate',
  'resolve',
  'change_severity',
  'change_commander',
  'swap_oncall',
  'reject_remediation',
  'declare',
  /** Edit, publish or discard an incident's postmortem draft. */
  'publish_postmortem',
  /** Give someone an incident role other than commander (`/incident role scribe @user`). */
  'assign_role',
  /** Post a status update (`/incident update`) to the channel and the stakeholders. */
  'post_update',
  /** `/copilot pause`: stop every action from running alone (src/autonomy). */
  'pause_autonomy',
  /** `/copilot resume`: let the autonomy policy run actions alone again. */
  'resume_autonomy',
  /** Move a service's alerts out of the incident into a new one (`/incident split <service>`). */
  'split_incident',
  /** Move another incident's alerts, timeline and pages into this one and close it (`/incident merge INC-N`). */
  'merge_incident',
  /** Run a drill of a runbook in Slack (`/drill <runbook>`); the on-call are those of the runbook's team's rotation. */
  'run_drill',
] as const;
export type AuthzAction = (typeof AUTHZ_ACTIONS)[number];

/** Who may, by role. Approving a remediation is set per action in the catalog (`actions[].approvers`). */
export interface RoleRule {
  /** The on-call of the incident's service (primary now, and anyone paged for the incident); for swap_oncall, the rotation's members. */
  oncall: boolean;
  commander: boolean;
  /** People the copilot invited to the incident channel (the team's on-call, user group and the service's owners). */
  responders: boolean;
  /** The lead of the incident's team (for swap_oncall: of a team the rotation belongs to). */
  teamLead: boolean;
  /** Members of these Slack user groups (S…). */
  usergroups: string[];
  /** These config users (ids from users). */
  users: string[];
  anyone: boolean;
}

const ROLE_DEFAULTS = {
  oncall: false,
  commander: false,
  responders: false,
  teamLead: false,
  usergroups: [],
  users: [],
  anyone: false,
};

/** Defaults an on-call engineer expects: the people working the incident act on it; command and swaps stay with on-call. */
export const DEFAULT_AUTHORIZATION: Record<AuthzAction, RoleRule> = {
  acknowledge: { ...ROLE_DEFAULTS, oncall: true, commander: true, responders: true },
  escalate: { ...ROLE_DEFAULTS, oncall: true, commander: true, responders: true },
  resolve: { ...ROLE_DEFAULTS, oncall: true, commander: true, responders: true },
  change_severity: { ...ROLE_DEFAULTS, oncall: true, commander: true, responders: true },
  change_commander: { ...ROLE_DEFAULTS, oncall: true, commander: true },
  swap_oncall: { ...ROLE_DEFAULTS, oncall: true, teamLead: true },
  reject_remediation: { ...ROLE_DEFAULTS, oncall: true, commander: true, responders: true },
  declare: { ...ROLE_DEFAULTS, anyone: true },
  publish_postmortem: { ...ROLE_DEFAULTS, commander: true, teamLead: true },
  assign_role: { ...ROLE_DEFAULTS, oncall: true, commander: true },
  post_update: { ...ROLE_DEFAULTS, oncall: true, commander: true, responders: true },
  // Stopping the copilot is the safe direction: an on-call may; starting it again is for commanders and leads.
  pause_autonomy: { ...ROLE_DEFAULTS, oncall: true, commander: true, teamLead: true },
  resume_autonomy: { ...ROLE_DEFAULTS, commander: true, teamLead: true },
  split_incident: { ...ROLE_DEFAULTS, oncall: true, commander: true },
  merge_incident: { ...ROLE_DEFAULTS, oncall: true, commander: true },
  run_drill: { ...ROLE_DEFAULTS, oncall: true, teamLead: true },
};

/** One action's rule; every field left out keeps that action's default. */
const roleRuleSchema = (d: RoleRule) =>
  z
    .object({
      oncall: z.boolean().default(d.oncall),
      commander: z.boolean().default(d.commander),
      responders: z.boolean().default(d.responders),
      teamLead: z.boolean().default(d.teamLead),
      usergroups: z
        .array(z.string().regex(/^S[A-Z0-9]+$/, 'expected a Slack user group id (S…)'))
        .default(d.usergroups),
      users: z.array(z.string()).default(d.users),
      anyone: z.boolean().default(d.anyone),
    })
    .prefault({});

export const authorizationSchema = z
  .object(
    Object.fromEntries(AUTHZ_ACTIONS.map((a) => [a, roleRuleSchema(DEFAULT_AUTHORIZATION[a])])) as Record<
      AuthzAction,
      ReturnType<typeof roleRuleSchema>
    >,
  )
  .strict()
  .prefault({});
