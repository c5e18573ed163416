// The YAML file named by COPILOT_CONFIG: one zod schema over its sections, and the types the code reads.
import { z } from 'zod';
import { authorizationSchema } from './authorization.js';
import { autonomySchema } from './autonomy-schema.js';
import { durationSchema as duration, severity } from './durations.js';
import {
  DEFAULT_METRIC_ROLES,
  actionSchema,
  escalationPolicySchema,
  escalationTargetSchema,
  routingRuleSchema,
  runbookSchema,
  scheduleSchema,
  serviceSchema,
  sloSchema,
  teamSchema,
  userSchema,
} from './sections.js';
import { GITHUB_REPO_MESSAGE, GITHUB_REPO_PATTERN } from '../../lib/github-repo.js';
import { copilotSettingsSchema } from './copilot-schema.js';

export const fileConfigSchema = z.object({
  users: z.array(userSchema).default([]),
  teams: z.array(teamSchema).default([]),
  services: z.array(serviceSchema).default([]),
  routing: z
    .object({
      rules: z.array(routingRuleSchema).default([]),
      /** Severity when no rule matches. */
      defaultSeverity: severity.default('sev2'),
      defaultTeam: z.string().optional(),
    })
    .prefault({}),
  escalationPolicies: z.array(escalationPolicySchema).default([]),
  schedules: z.array(scheduleSchema).default([]),
  actions: z.array(actionSchema).default([]),
  slos: z.array(sloSchema).default([]),
  /** The copilot's own evaluation of the SLOs' burn (src/slo/evaluate-slos.ts), with a metrics source. */
  slo: z
    .object({
      /** How often every SLO's burn windows are evaluated. */
      evaluateEvery: duration.default(60_000),
      /** A deploy that spends more than `budgetShare` of the period's budget `within` after it is rolled back (proposed). */
      fastBurnAfterDeploy: z
        .object({
          budgetShare: z.number().gt(0).max(1).default(0.2),
          within: duration.default(3_600_000),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Runbooks: the investigator suggests their steps, and steps naming a catalog action get a button. */
  runbooks: z.array(runbookSchema).default([]),
  /** Runbooks kept in git (RUNBOOKS_REPO) and how they are checked (`incident-copilot runbooks lint`). */
  /** Postmortems published to RUNBOOKS_REPO: the branch PRs target, where files go, where follow-ups are filed. */
  postmortems: z
    .object({
      /** Branch the pull requests target; default the runbook setting's ref, else `main`. */
      baseBranch: z.string().min(1).optional(),
      /** Folder of RUNBOOKS_REPO for the postmortem files. */
      path: z.string().min(1).default('postmortems/'),
      /** Repository (owner/name) for the follow-up issues; default RUNBOOKS_REPO. */
      issuesRepo: z.string().regex(GITHUB_REPO_PATTERN, GITHUB_REPO_MESSAGE).optional(),
      /** How long the model may take to improve the prose before the deterministic draft is kept. */
      proseTimeout: duration.default(20_000),
    })
    .prefault({}),
  /** The error-budget policy states of the SLOs (ship freely, soft-pause, hard-pause): how often they are checked. */
  sloPolicy: z.object({ checkEvery: duration.default(60_000) }).prefault({}),
  /** The copilot's weekly summary of its own figures (src/measure). */
  copilot: copilotSettingsSchema,
  runbookSettings: z
    .object({
      /** Folder of RUNBOOKS_REPO holding the runbooks (subfolders included). */
      path: z.string().min(1).default('runbooks/'),
      /** Branch, tag or commit to read; default the repository's default branch. */
      ref: z.string().min(1).optional(),
      /** How often the runbooks are read again from git. */
      refreshEvery: duration.default(10 * 60_000),
      /** A runbook not drilled within this is stale (lint warns; the briefing marks its step). */
      drillEvery: duration.default(90 * 86_400_000),
    })
    .prefault({}),
  metrics: z
    .object({
      /** PromQL per metric role; `{{service}}` and `{{upstream}}` are filled in. */
      roles: z
        .record(z.string(), z.string())
        .default({})
        .transform((roles) => ({ ...DEFAULT_METRIC_ROLES, ...roles })),
      step: duration.default(60_000),
      lookback: duration.default(3 * 3_600_000),
    })
    .prefault({}),
  logs: z
    .object({
      /** LogQL selector per service; `{{service}}` is filled in. */
      selector: z.string().default('{service="{{service}}"}'),
      limit: z.number().int().positive().max(5000).default(500),
    })
    .prefault({}),
  investigation: z
    .object({
      maxToolCalls: z.number().int().min(0).max(50).default(8),
      timeout: duration.default(60_000),
      maxTokens: z.number().int().positive().default(60_000),
    })
    .prefault({}),
  /** The Claude path of the conversation (with ANTHROPIC_API_KEY): its time and token budgets. */
  conversation: z
    .object({
      /** How long Claude may take over one answer, tool calls included, before the deterministic answer is posted. */
      modelTimeout: duration.default(8_000),
      /** max_tokens of each of Claude's replies. */
      modelMaxTokens: z.number().int().min(64).max(8192).default(1024),
      /** Input plus output tokens over all of one answer's model calls. */
      modelTokenBudget: z.number().int().positive().default(40_000),
      /** Rounds of tool calls Claude may make for one answer. */
      modelMaxToolRounds: z.number().int().min(0).max(10).default(4),
    })
    .prefault({}),
  incidents: z
    .object({
      /** Prefix of incident ids and channel names: INC-42, inc-42-checkout-…  */
      idPrefix: z
        .string()
        .regex(/^[A-Za-z]{2,8}$/)
        .default('INC'),
      /** How long after a resolve the same alert (fingerprint) firing again reopens the incident; a different alert opens a new one. */
      regroupWindow: duration.default(30 * 60_000),
      /**
       * Storm correlation: a page from another alert group within this long of an open incident's page joins that
       * incident when their services are connected in the service graph (see src/incidents/correlation.ts). 0: off.
       */
      correlateWindow: duration.default(5 * 60_000),
      /** The longest dependency path (edges of services[].dependsOn) that still connects two paged services. */
      correlateHops: z.number().int().min(1).max(10).default(3),
      /**
       * Once every alert of an incident has resolved, paging stops and the channel is offered a Resolve button; with
       * this set (e.g. 10m), the incident also resolves itself after that quiet period unless an alert fires again.
       * Unset: never resolves by itself.
       */
      autoResolveAfter: duration.optional(),
      /**
       * While an incident is unresolved, investigate it again this often (a durable timer); the run is skipped when
       * nothing changed (the same evidence fingerprint as the last run).
       */
      reinvestigateEvery: duration.default(5 * 60_000),
      /**
       * Roles people hold in an incident, assigned with `/incident role <role> @user` (authorization.assign_role);
       * `commander` is the incident's commander (authorization.change_commander).
       */
      roles: z
        .array(z.string().regex(/^[a-z][a-z0-9_-]{0,29}$/, 'expected a lowercase role name'))
        .min(1)
        .default(['commander', 'scribe', 'communications'])
        .refine((r) => new Set(r).size === r.length, 'roles are listed once each'),
      /** When a status update posted with `/incident update` says the next one is due, unless its form says otherwise. */
      updateEvery: duration.default(30 * 60_000),
    })
    .prefault({}),
  /** Who may acknowledge, escalate, resolve, change severity or command, swap on-call, reject, declare. */
  authorization: authorizationSchema,
  remediation: z
    .object({
      defaultVerifyWindow: duration.default(5 * 60_000),
      /** Allow low-risk catalog actions to run without a human when a known failure kind is confident. */
      autoRemediate: z.boolean().default(false),
      /**
       * Below this confidence no one-click fix is offered: the briefing says what is suspected and asks. A deploy or change
       * with no signal of the service failing never reaches it (the investigator keeps it a lead).
       */
      proposeAbove: z.number().min(0).max(1).default(0.5),
    })
    .prefault({}),
  /** Which actions run alone, by rule (src/autonomy); the kill switch; the blast radius. */
  autonomy: autonomySchema,
});

export type FileConfig = z.infer<typeof fileConfigSchema>;
export type Team = z.infer<typeof teamSchema>;
export type ServiceDef = z.infer<typeof serviceSchema>;
export type RoutingRule = z.infer<typeof routingRuleSchema>;
export type EscalationPolicyDef = z.infer<typeof escalationPolicySchema>;
export type EscalationTarget = z.infer<typeof escalationTargetSchema>;
export type ScheduleDef = z.infer<typeof scheduleSchema>;
export type ActionDef = z.infer<typeof actionSchema>;
export type SloDef = z.infer<typeof sloSchema>;
export type UserDef = z.infer<typeof userSchema>;
export type RunbookDef = z.infer<typeof runbookSchema>;
export type Severity = z.infer<typeof severity>;
