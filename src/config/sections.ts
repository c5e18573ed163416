// The YAML file's sections: users, teams, services, routing, escalation policies, schedules, the action catalog,
// SLOs, runbooks and metric roles.
import { z } from 'zod';
import { durationSchema as duration, hhmm, severity, timeZone, weekday } from './durations.js';
import { GITHUB_REPO_MESSAGE, GITHUB_REPO_PATTERN } from '../../lib/github-repo.js';

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
    .object({
      start: hhmm.default('09:00'),
      end: hhmm.default('17:00'),
      days: z.array(weekday).default(['mon', 'tue', 'wed', 'thu', 'fri']),
    })
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
  repo: z.string().regex(GITHUB_REPO_PATTERN, GITHUB_REPO_MESSAGE).optional(),
  /** Slack channel id (C…) where `/incident update` also posts the status updates of this service's incidents. */
  stakeholderChannel: z
    .string()
    .regex(/^[CG][A-Z0-9]+$/, 'expected a Slack channel id (C…)')
    .optional(),
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
  ackWindow: z
    .object({ businessHours: duration.default(5 * 60_000), overnight: duration.default(15 * 60_000) })
    .prefault({}),
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
    .array(
      z.object({
        user: z.string(),
        start: z.string().datetime({ offset: true }),
        end: z.string().datetime({ offset: true }),
      }),
    )
    .default([]),
  /** PagerDuty schedule id: read on-call from PagerDuty when PAGERDUTY_TOKEN is set. */
  pagerdutyId: z.string().optional(),
});

export const actionSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a snake_case action name'),
  title: z.string().optional(),
  runner: z.discriminatedUnion('type', [
    z.object({
      type: z.literal('github_workflow'),
      repo: z.string().regex(GITHUB_REPO_PATTERN, GITHUB_REPO_MESSAGE),
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

export { sloSchema } from './slo-schema.js';

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
  .refine((r) => (r.markdown === undefined) !== (r.file === undefined), {
    message: 'give exactly one of markdown or file',
  });

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
