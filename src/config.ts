// Configuration: one zod schema over the environment (.env.example lists it) and one over the YAML file named by COPILOT_CONFIG.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, formatZodIssues } from './errors.js';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const optionalUrl = (what: string) =>
  optionalString.refine((v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v), {
    message: `expected an http(s) URL of ${what}`,
  });

/** The environment. Names are part of the interface (operators set them); `.env.example` lists exactly these keys. */
export const envSchema = z.object({
  PORT: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? '3000' : v.trim()))
    .pipe(z.string().regex(/^\d+$/, 'expected a port number from 0 to 65535').transform(Number))
    .pipe(z.number().int().min(0, 'expected a port number from 0 to 65535').max(65535, 'expected a port number from 0 to 65535')),
  HOST: optionalString.transform((v) => v ?? '127.0.0.1'),
  LOG_LEVEL: optionalString
    .transform((v) => v ?? 'info')
    .pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'expected one of fatal, error, warn, info, debug, trace, silent' })),
  DATABASE_URL: optionalString.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    message: 'expected a postgres:// or postgresql:// connection URL',
  }),
  DATA_DIR: optionalString.transform((v) => v ?? './.data'),
  REDIS_URL: optionalString.refine((v) => v === undefined || /^rediss?:\/\//.test(v), {
    message: 'expected a redis:// or rediss:// URL',
  }),
  SLACK_BOT_TOKEN: optionalString.refine((v) => v === undefined || v.startsWith('xoxb-'), {
    message: 'expected a bot token starting with xoxb-',
  }),
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString.refine((v) => v === undefined || v.startsWith('xapp-'), {
    message: 'expected an app-level token starting with xapp-',
  }),
  SLACK_API_URL: optionalUrl('the Slack Web API (ending in /api/)'),
  PAGERDUTY_TOKEN: optionalString,
  PAGERDUTY_WEBHOOK_SECRET: optionalString,
  PAGERDUTY_API_URL: optionalUrl('the PagerDuty REST API'),
  ALERTMANAGER_TOKEN: optionalString,
  EVENTS_WEBHOOK_SECRET: optionalString,
  GITHUB_TOKEN: optionalString,
  GITHUB_API_URL: optionalUrl('the GitHub REST API'),
  RUNBOOKS_REPO: optionalString.refine((v) => v === undefined || /^[\w.-]+\/[\w.-]+$/.test(v), {
    message: 'expected owner/name',
  }),
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: optionalUrl('the Anthropic API'),
  ANTHROPIC_MODEL: optionalString.transform((v) => v ?? 'claude-sonnet-4-5'),
  PROMETHEUS_URL: optionalUrl('Prometheus'),
  LOKI_URL: optionalUrl('Loki'),
  COPILOT_CONFIG: optionalString,
  SHUTDOWN_TIMEOUT_MS: optionalString
    .transform((v) => v ?? '10000')
    .pipe(z.string().regex(/^\d+$/, 'expected milliseconds as a whole number').transform(Number)),
});

export type Env = z.infer<typeof envSchema>;

// ---------------------------------------------------------------------------------------------------------------
// The YAML file: service catalog, teams, routing, escalation, schedules, actions, SLOs, metric roles.

/**
 * A duration in the file: text with a unit ("30s", "5m"), parsed here, once, to milliseconds, the only unit inside the
 * code. A bare number is refused: it is ambiguous (seconds? milliseconds?), and reading one the wrong way once made
 * every escalation run 1000x slow.
 */
export const durationSchema = z
  .string({ error: (issue) => (typeof issue.input === 'number' ? `expected a duration with a unit, like "${issue.input}s" or "${issue.input}ms", not a bare number` : 'expected a duration like 30s, 5m, 2h, 1d') })
  .regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'expected a duration like 30s, 5m, 2h, 1d')
  .transform((v) => parseDuration(v));
const duration = durationSchema;

/** Parses "30s", "5m", "2h", "1d", "250ms" to milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text}`);
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Math.round(n * unit);
}

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)');
const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected an IANA time zone such as Europe/Berlin' },
);
const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const severity = z.enum(['sev1', 'sev2', 'sev3']);

export const userSchema = z.object({
  /** Stable handle used everywhere in this file. */
  id: z.string().min(1),
  name: z.string().min(1),
  /** Slack user id (U…); resolved from email at start when omitted. */
  slackId: z.string().optional(),
  email: z.string().email().optional(),
  /** PagerDuty user id, for escalation through PagerDuty. */
  pagerdutyId: z.string().optional(),
});

export const teamSchema = z.object({
  name: z.string().min(1),
  /** Channel where the copilot posts one-line pointers to new incidents and sev3 alerts. */
  alertsChannel: z.string().min(1),
  /** Channel where handoffs are posted. Defaults to alertsChannel. */
  oncallChannel: z.string().optional(),
  timeZone: timeZone.default('UTC'),
  businessHours: z
    .object({ start: hhmm.default('09:00'), end: hhmm.default('17:00'), days: z.array(weekday).default(['mon', 'tue', 'wed', 'thu', 'fri']) })
    .prefault({}),
  /** Slack user group (S…) of the team: invited to incident channels. */
  slackUserGroup: z.string().optional(),
  /** User id (see users) of the team lead: unconfirmed handoffs escalate to them. */
  lead: z.string().optional(),
  /** The team's rotation (see schedules). */
  schedule: z.string().optional(),
  /** Default escalation policy for the team's pages. */
  escalationPolicy: z.string().optional(),
});

export const serviceSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected a lowercase service name'),
  kind: z.enum(['service', 'worker', 'database', 'external']).default('service'),
  team: z.string().optional(),
  tier: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(2),
  dependsOn: z.array(z.string()).default([]),
  owners: z.array(z.string()).default([]),
  /** Runbook ids that apply to this service. */
  runbooks: z.array(z.string()).default([]),
  /** Links shown in briefings (dashboards, repos). */
  links: z.array(z.object({ title: z.string(), url: z.string().url() })).default([]),
  /** GitHub repository (owner/name) whose deployments and commits are this service's. */
  repo: z.string().optional(),
});

const labelMatcher = z.record(z.string(), z.union([z.string(), z.object({ regex: z.string() })]));

export const routingRuleSchema = z.object({
  name: z.string().optional(),
  /** Every label listed must match: a string for equality, { regex } for a full-match regular expression. */
  match: labelMatcher.default({}),
  severity,
  team: z.string().optional(),
  escalationPolicy: z.string().optional(),
  /** Stop at the first matching rule (default) or keep going to fill what this rule left unset. */
  continue: z.boolean().default(false),
});

export const escalationTargetSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('user'), id: z.string() }),
  z.object({ type: z.literal('schedule'), id: z.string(), which: z.enum(['primary', 'secondary']).default('primary') }),
  z.object({ type: z.literal('usergroup'), id: z.string() }),
  z.object({ type: z.literal('team_lead'), team: z.string().optional() }),
]);

export const escalationPolicySchema = z.object({
  name: z.string().min(1),
  steps: z
    .array(
      z.object({
        targets: z.array(escalationTargetSchema).min(1),
        /** How long this step waits for an acknowledgement before the next step runs. Defaults to the ack window. */
        delay: duration.optional(),
      }),
    )
    .min(1),
  ackWindow: z.object({ businessHours: duration.default(5 * 60_000), overnight: duration.default(15 * 60_000) }).prefault({}),
  /** How many times the whole chain repeats after the last step. */
  repeat: z.number().int().min(0).max(10).default(0),
  /** PagerDuty escalation policy id: read the steps from PagerDuty when PAGERDUTY_TOKEN is set. */
  pagerdutyId: z.string().optional(),
});

export const scheduleSchema = z.object({
  name: z.string().min(1),
  timeZone: timeZone.default('UTC'),
  /** Users (see users) in rotation order. */
  members: z.array(z.string()).min(1),
  /** When the rotation starts (ISO date-time); the first member is on call from then. */
  start: z.string().datetime({ offset: true }).default('2026-01-05T09:00:00Z'),
  handoffTime: hhmm.default('09:00'),
  length: duration.default(7 * 86_400_000),
  overrides: z
    .array(z.object({ user: z.string(), start: z.string().datetime({ offset: true }), end: z.string().datetime({ offset: true }) }))
    .default([]),
  /** PagerDuty schedule id: read on-call from PagerDuty when PAGERDUTY_TOKEN is set. */
  pagerdutyId: z.string().optional(),
});

export const actionSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a snake_case action name'),
    title: z.string().optional(),
    runner: z.discriminatedUnion('type', [
      z.object({
        type: z.literal('github_workflow'),
        repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'expected owner/name'),
        workflow: z.string().min(1),
        ref: z.string().default('main'),
        /** Inputs; `{{service}}`, `{{cause}}`, `{{incident}}` are filled from the incident and hypothesis. */
        inputs: z.record(z.string(), z.string()).default({}),
      }),
      z.object({
        type: z.literal('webhook'),
        url: z.string().url(),
        /** Name of an environment variable holding the HMAC secret that signs the body. */
        secretEnv: z.string().optional(),
      }),
      z.object({
        /** Runs against the simulated world of the local workspace. */
        type: z.literal('sandbox'),
      }),
    ]),
    /** Services it may run on; empty means any. */
    services: z.array(z.string()).default([]),
    risk: z.enum(['low', 'high']).default('high'),
    reversible: z.boolean().default(false),
    /** Action that undoes this one, if any. */
    undo: z.string().optional(),
    /** Who may approve it (see authorization): by default the on-call of its service and the incident commander. */
    approvers: z
      .object({
        oncall: z.boolean().default(true),
        commander: z.boolean().default(true),
        responders: z.boolean().default(false),
        teamLead: z.boolean().default(false),
        usergroups: z.array(z.string()).default([]),
        users: z.array(z.string()).default([]),
        /** Distinct people who must approve before it runs; default 2 for a high-risk action, 1 for a low-risk one. */
        count: z.number().int().min(1).max(5).optional(),
      })
      .prefault({}),
    /** Run without a human when the hypothesis is at least this confident and policy allows (low risk only). */
    autoRunAbove: z.number().min(0).max(1).optional(),
    /** Window over which the SLI is re-read after the action; remediation.defaultVerifyWindow when unset. */
    verifyWindow: duration.optional(),
  });

export const sloSchema = z.object({
  name: z.string().min(1),
  service: z.string(),
  /** Metric role (see metrics.roles) whose value is the bad share, e.g. error_ratio. */
  sli: z.string().default('error_ratio'),
  objective: z.number().gt(0).lt(1),
  window: duration.default(28 * 86_400_000),
  /** Error-budget policy: what happens when the budget burns. */
  policy: z
    .object({
      fastBurnRate: z.number().positive().default(14.4),
      slowBurnRate: z.number().positive().default(6),
      freezeDeploysWhenExhausted: z.boolean().default(true),
    })
    .prefault({}),
});

export const runbookSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lowercase id such as rb-high-error-rate'),
    title: z.string().min(1),
    /** Alert names this runbook answers (Alertmanager's alertname). */
    alerts: z.array(z.string()).default([]),
    /** The runbook itself: numbered steps; a step the copilot can run names its action as `(action: NAME)`. */
    markdown: z.string().optional(),
    /** Or a Markdown file, relative to the config file. */
    file: z.string().optional(),
  })
  .refine((r) => (r.markdown === undefined) !== (r.file === undefined), { message: 'give exactly one of markdown or file' });

export const DEFAULT_METRIC_ROLES: Record<string, string> = {
  request_rate: 'service:http_requests:rate5m{service="{{service}}"}',
  error_ratio: 'service:http_errors:ratio_rate5m{service="{{service}}"}',
  latency_p99: 'service:http_latency_seconds:p99{service="{{service}}"}',
  upstream_error_ratio: 'service:upstream_errors:ratio_rate5m{service="{{service}}"}',
  cpu: 'container_cpu_usage:ratio{service="{{service}}"}',
  memory: 'container_memory_working_set_bytes{service="{{service}}"}',
  restarts: 'kube_pod_container_status_restarts_total{service="{{service}}"}',
  disk_free: 'node_filesystem_avail:ratio{service="{{service}}"}',
  db_connections: 'pg_connections:ratio{service="{{service}}"}',
  db_query_latency_p99: 'pg_query_latency_seconds:p99{service="{{service}}"}',
  queue_depth: 'queue_depth{service="{{service}}"}',
  queue_processed: 'queue_processed:rate5m{service="{{service}}"}',
  cert_expiry: 'probe_ssl_earliest_cert_expiry{service="{{service}}"}',
  probe_success: 'probe_success{service="{{service}}"}',
};

export const DEFAULT_ACTIONS = [
  'rollback_deploy',
  'revert_change',
  'enable_fallback',
  'scale_out',
  'restart_service',
  'terminate_slow_queries',
  'renew_certificate',
  'free_disk',
  'scale_consumers',
] as const;

/** What people may do to an incident or a rotation; each is allowed to the roles its rule lists (see authorization). */
export const AUTHZ_ACTIONS = ['acknowledge', 'escalate', 'resolve', 'change_severity', 'change_commander', 'swap_oncall', 'reject_remediation', 'declare'] as const;
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

const ROLE_DEFAULTS = { oncall: false, commander: false, responders: false, teamLead: false, usergroups: [], users: [], anyone: false };

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
};

/** One action's rule; every field left out keeps that action's default. */
const roleRuleSchema = (d: RoleRule) =>
  z
    .object({
      oncall: z.boolean().default(d.oncall),
      commander: z.boolean().default(d.commander),
      responders: z.boolean().default(d.responders),
      teamLead: z.boolean().default(d.teamLead),
      usergroups: z.array(z.string().regex(/^S[A-Z0-9]+$/, 'expected a Slack user group id (S…)')).default(d.usergroups),
      users: z.array(z.string()).default(d.users),
      anyone: z.boolean().default(d.anyone),
    })
    .prefault({});

export const authorizationSchema = z
  .object(Object.fromEntries(AUTHZ_ACTIONS.map((a) => [a, roleRuleSchema(DEFAULT_AUTHORIZATION[a])])) as Record<AuthzAction, ReturnType<typeof roleRuleSchema>>)
  .strict()
  .prefault({});

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
  /** Runbooks: the investigator suggests their steps, and steps naming a catalog action get a button. */
  runbooks: z.array(runbookSchema).default([]),
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
  incidents: z
    .object({
      /** Prefix of incident ids and channel names: INC-42, inc-42-checkout-…  */
      idPrefix: z.string().regex(/^[A-Za-z]{2,8}$/).default('INC'),
      /** How long after a resolve the same alert (fingerprint) firing again reopens the incident; a different alert opens a new one. */
      regroupWindow: duration.default(30 * 60_000),
      /**
       * Once every alert of an incident has resolved, paging stops and the channel is offered a Resolve button; with
       * this set (e.g. 10m), the incident also resolves itself after that quiet period unless an alert fires again.
       * Unset: never resolves by itself.
       */
      autoResolveAfter: duration.optional(),
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

/** Everything the app is configured with. */
export interface AppConfig {
  env: Env;
  file: FileConfig;
  /** Where the file config came from: a path, or "built-in defaults". */
  fileSource: string;
}

/** Checks references between sections (a rule naming an unknown team, a step naming an unknown schedule...). */
function crossCheck(file: FileConfig): string[] {
  const problems: string[] = [];
  const teams = new Set(file.teams.map((t) => t.name));
  const users = new Set(file.users.map((u) => u.id));
  const services = new Set(file.services.map((s) => s.name));
  const policies = new Set(file.escalationPolicies.map((p) => p.name));
  const schedules = new Set(file.schedules.map((s) => s.name));
  const actions = new Set(file.actions.map((a) => a.name));
  const dup = (what: string, names: string[]) => {
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n)) problems.push(`${what}: "${n}" is defined twice`);
      seen.add(n);
    }
  };
  dup('teams', file.teams.map((t) => t.name));
  dup('users', file.users.map((u) => u.id));
  dup('services', file.services.map((s) => s.name));
  dup('escalationPolicies', file.escalationPolicies.map((p) => p.name));
  dup('schedules', file.schedules.map((s) => s.name));
  dup('actions', file.actions.map((a) => a.name));
  file.services.forEach((s, i) => {
    if (s.team && !teams.has(s.team)) problems.push(`services.${i}.team: unknown team "${s.team}"`);
    s.dependsOn.forEach((d, j) => {
      if (!services.has(d)) problems.push(`services.${i}.dependsOn.${j}: unknown service "${d}"`);
    });
  });
  file.teams.forEach((t, i) => {
    if (t.lead && !users.has(t.lead)) problems.push(`teams.${i}.lead: unknown user "${t.lead}"`);
    if (t.schedule && !schedules.has(t.schedule)) problems.push(`teams.${i}.schedule: unknown schedule "${t.schedule}"`);
    if (t.escalationPolicy && !policies.has(t.escalationPolicy))
      problems.push(`teams.${i}.escalationPolicy: unknown escalation policy "${t.escalationPolicy}"`);
    const [sh, sm] = t.businessHours.start.split(':').map(Number);
    const [eh, em] = t.businessHours.end.split(':').map(Number);
    if (sh! * 60 + sm! >= eh! * 60 + em!) problems.push(`teams.${i}.businessHours: start must be before end`);
  });
  file.routing.rules.forEach((r, i) => {
    if (r.team && !teams.has(r.team)) problems.push(`routing.rules.${i}.team: unknown team "${r.team}"`);
    if (r.escalationPolicy && !policies.has(r.escalationPolicy))
      problems.push(`routing.rules.${i}.escalationPolicy: unknown escalation policy "${r.escalationPolicy}"`);
    for (const [k, v] of Object.entries(r.match)) {
      if (typeof v === 'object') {
        try {
          new RegExp(v.regex);
        } catch {
          problems.push(`routing.rules.${i}.match.${k}: invalid regular expression`);
        }
      }
    }
  });
  if (file.routing.defaultTeam && !teams.has(file.routing.defaultTeam))
    problems.push(`routing.defaultTeam: unknown team "${file.routing.defaultTeam}"`);
  file.escalationPolicies.forEach((p, i) =>
    p.steps.forEach((s, j) =>
      s.targets.forEach((t, k) => {
        const at = `escalationPolicies.${i}.steps.${j}.targets.${k}`;
        if (t.type === 'user' && !users.has(t.id)) problems.push(`${at}: unknown user "${t.id}"`);
        if (t.type === 'schedule' && !schedules.has(t.id)) problems.push(`${at}: unknown schedule "${t.id}"`);
        if (t.type === 'team_lead' && t.team && !teams.has(t.team)) problems.push(`${at}: unknown team "${t.team}"`);
      }),
    ),
  );
  file.schedules.forEach((s, i) => {
    s.members.forEach((m, j) => {
      if (!users.has(m)) problems.push(`schedules.${i}.members.${j}: unknown user "${m}"`);
    });
    s.overrides.forEach((o, j) => {
      if (!users.has(o.user)) problems.push(`schedules.${i}.overrides.${j}.user: unknown user "${o.user}"`);
      if (Date.parse(o.start) >= Date.parse(o.end)) problems.push(`schedules.${i}.overrides.${j}: start must be before end`);
    });
  });
  file.actions.forEach((a, i) => {
    if (a.undo && !actions.has(a.undo)) problems.push(`actions.${i}.undo: unknown action "${a.undo}"`);
    a.services.forEach((s, j) => {
      if (!services.has(s)) problems.push(`actions.${i}.services.${j}: unknown service "${s}"`);
    });
    a.approvers.users.forEach((u, j) => {
      if (!users.has(u)) problems.push(`actions.${i}.approvers.users.${j}: unknown user "${u}"`);
    });
  });
  for (const [action, rule] of Object.entries(file.authorization)) {
    rule.users.forEach((u, j) => {
      if (!users.has(u)) problems.push(`authorization.${action}.users.${j}: unknown user "${u}"`);
    });
  }
  dup('runbooks', file.runbooks.map((r) => r.id));
  const runbooks = new Set(file.runbooks.map((r) => r.id));
  file.services.forEach((s, i) =>
    s.runbooks.forEach((r, j) => {
      if (file.runbooks.length && !runbooks.has(r)) problems.push(`services.${i}.runbooks.${j}: unknown runbook "${r}"`);
    }),
  );
  file.slos.forEach((s, i) => {
    if (!services.has(s.service)) problems.push(`slos.${i}.service: unknown service "${s.service}"`);
    if (!file.metrics.roles[s.sli]) problems.push(`slos.${i}.sli: unknown metric role "${s.sli}"`);
  });
  return problems;
}

/** The names each kind of reference points at, as written (even in an entry that does not parse). */
const REFERENCED: Record<string, (raw: Record<string, unknown>) => unknown[]> = {
  team: (r) => namesOf(r.teams, 'name'),
  user: (r) => namesOf(r.users, 'id'),
  service: (r) => namesOf(r.services, 'name'),
  'escalation policy': (r) => namesOf(r.escalationPolicies, 'name'),
  schedule: (r) => namesOf(r.schedules, 'name'),
  action: (r) => namesOf(r.actions, 'name'),
  runbook: (r) => namesOf(r.runbooks, 'id'),
  'metric role': (r) => {
    const roles = (r.metrics as { roles?: unknown } | undefined)?.roles;
    return [...Object.keys(DEFAULT_METRIC_ROLES), ...(roles && typeof roles === 'object' ? Object.keys(roles) : [])];
  },
};

function namesOf(section: unknown, key: string): unknown[] {
  return Array.isArray(section) ? section.map((e) => (e && typeof e === 'object' ? (e as Record<string, unknown>)[key] : undefined)) : [];
}

/**
 * Cross-checks a file whose shape is wrong somewhere: every section (or, in a list, every entry) that parses is
 * checked as usual; a reference to a name that exists in the file but sits in an entry that did not parse is not
 * reported, since that entry's own error is.
 */
function crossCheckPartial(raw: unknown): string[] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return [];
  const input = raw as Record<string, unknown>;
  const shape = fileConfigSchema.shape as Record<string, z.ZodType>;
  const partial: Record<string, unknown> = {};
  // For a list checked entry by entry: the entry's index in the file, by its index among the entries that parsed.
  const indexes = new Map<string, number[]>();
  for (const [key, schema] of Object.entries(shape)) {
    const whole = schema.safeParse(input[key]);
    if (whole.success) partial[key] = whole.data;
    else if (Array.isArray(input[key])) {
      const kept: number[] = [];
      partial[key] = (input[key] as unknown[]).flatMap((entry, i) => {
        const one = schema.safeParse([entry]);
        if (!one.success) return [];
        kept.push(i);
        return one.data as unknown[];
      });
      indexes.set(key, kept);
    } else partial[key] = schema.safeParse(undefined).data;
  }
  let problems: string[];
  try {
    problems = crossCheck(partial as FileConfig);
  } catch {
    return [];
  }
  return problems
    .filter((p) => {
      const m = /unknown (team|user|service|escalation policy|schedule|action|runbook|metric role) "(.*)"$/.exec(p);
      return m !== null && !REFERENCED[m[1]!]!(input).includes(m[2]);
    })
    .map((p) => p.replace(/^(\w+)\.(\d+)\./, (all, key: string, i: string) => (indexes.has(key) ? `${key}.${indexes.get(key)![Number(i)]}.` : all)));
}

/** Parses and checks a file config object (already read from YAML). Throws ConfigError naming every problem. */
export function parseFileConfig(raw: unknown, source = 'config'): FileConfig {
  const parsed = fileConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    // Name every bad setting at once: the shape errors, and the broken references among the parts that did parse.
    const problems = [...formatZodIssues(parsed.error.issues), ...crossCheckPartial(raw)];
    throw new ConfigError(problems.map((p) => `${source}: ${p}`));
  }
  const problems = crossCheck(parsed.data);
  if (problems.length) throw new ConfigError(problems.map((p) => `${source}: ${p}`));
  return parsed.data;
}

/** Reads the YAML config: COPILOT_CONFIG if set, else ./copilot.yml if present, else built-in defaults. */
export function loadFileConfig(configPath: string | undefined, cwd = process.cwd()): { file: FileConfig; source: string } {
  const chosen = configPath ?? (existsSync(path.join(cwd, 'copilot.yml')) ? 'copilot.yml' : undefined);
  if (!chosen) return { file: parseFileConfig({}, 'built-in defaults'), source: 'built-in defaults' };
  const full = path.resolve(cwd, chosen);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (err) {
    throw new ConfigError([`COPILOT_CONFIG: cannot read ${chosen}: ${(err as Error).message}`], { cause: err });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError([`${chosen}: not valid YAML: ${(err as Error).message}`], { cause: err });
  }
  const file = parseFileConfig(raw, chosen);
  const problems: string[] = [];
  file.runbooks.forEach((r, i) => {
    if (r.file === undefined) return;
    r.file = path.resolve(path.dirname(full), r.file);
    if (!existsSync(r.file)) problems.push(`${chosen}: runbooks.${i}.file: cannot read ${r.file}`);
  });
  if (problems.length) throw new ConfigError(problems);
  return { file, source: chosen };
}

/** Parses the environment and the config file; throws one ConfigError listing every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AppConfig {
  const parsed = envSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) problems.push(...formatZodIssues(parsed.error.issues).map((p) => p.replace(/^(\w+): /, '$1: ')));
  // Settings that need each other are checked on what was given, even when another setting is malformed.
  const given = (key: keyof Env) => (env[key]?.trim() ?? '') !== '';
  if (given('SLACK_BOT_TOKEN') && !given('SLACK_SIGNING_SECRET') && !given('SLACK_APP_TOKEN'))
    problems.push('SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)');
  if (!given('SLACK_BOT_TOKEN') && given('SLACK_APP_TOKEN')) problems.push('SLACK_BOT_TOKEN: required when SLACK_APP_TOKEN is set');
  if (given('RUNBOOKS_REPO') && !given('GITHUB_TOKEN')) problems.push('GITHUB_TOKEN: required when RUNBOOKS_REPO is set');
  let file: FileConfig | undefined;
  let source = 'built-in defaults';
  try {
    const configPath = parsed.success ? parsed.data.COPILOT_CONFIG : env.COPILOT_CONFIG?.trim() || undefined;
    const loaded = loadFileConfig(configPath, cwd);
    file = loaded.file;
    source = loaded.source;
  } catch (err) {
    if (err instanceof ConfigError) problems.push(...err.problems);
    else throw err;
  }
  if (problems.length || !parsed.success || !file) throw new ConfigError(problems);
  return { env: parsed.data, file, fileSource: source };
}

/** The keys of the environment schema, in order: `.env.example` lists exactly these. */
export const ENV_KEYS = Object.keys(envSchema.shape) as (keyof Env)[];
