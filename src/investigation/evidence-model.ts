// The investigation's evidence model: the failure categories and the action each calls for, and the shapes of the evidence
// the ports return (the service graph, metric series, log lines, deploys, changes, past incidents, runbooks). Zod schemas
// where production parses them from outside (change events; the scenario file format in eval/ builds on them too).
import { z } from 'zod';

export const CATEGORIES = [
  'bad_deploy',
  'config_change',
  'third_party_outage',
  'cpu_saturation',
  'traffic_surge',
  'memory_leak',
  'db_saturation',
  'certificate_expiry',
  'disk_full',
  'queue_backlog',
  'novel',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** The action that fixes each category. */
export const ACTION_FOR_CATEGORY: Record<Category, string> = {
  bad_deploy: 'rollback_deploy',
  config_change: 'revert_change',
  third_party_outage: 'enable_fallback',
  cpu_saturation: 'scale_out',
  traffic_surge: 'scale_out',
  memory_leak: 'restart_service',
  db_saturation: 'terminate_slow_queries',
  certificate_expiry: 'renew_certificate',
  disk_full: 'free_disk',
  queue_backlog: 'scale_consumers',
  novel: 'escalate',
};

export const rfc3339 = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an RFC 3339 time' });

/** A node of the service graph: a service, a worker, a database or an external vendor, and what it calls. */
export const serviceNodeSchema = z.looseObject({
  name: z.string().min(1),
  kind: z.enum(['service', 'worker', 'database', 'external']),
  team: z.string().optional(),
  tier: z.number().int().min(1).max(3).optional(),
  dependsOn: z.array(z.string()).default([]),
});

/** A metric series as Prometheus returns it: labels (with `__name__`) and [unix seconds, value] pairs. */
export const seriesSchema = z.looseObject({
  metric: z
    .record(z.string(), z.string())
    .refine((m) => typeof m.__name__ === 'string', { message: 'metric needs __name__' }),
  values: z.array(z.tuple([z.number(), z.string()])),
});

export const logLineSchema = z.looseObject({
  ts: rfc3339,
  service: z.string(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  line: z.string(),
});

export const deploySchema = z.looseObject({
  id: z.string(),
  service: z.string(),
  ts: rfc3339,
  sha: z.string().optional(),
  author: z.string().optional(),
  title: z.string().default(''),
  files: z.array(z.string()).default([]),
});

export const changeSchema = z.looseObject({
  id: z.string(),
  kind: z.enum(['feature_flag', 'config', 'infra', 'schema']),
  service: z.string(),
  ts: rfc3339,
  author: z.string().optional(),
  summary: z.string().default(''),
});

export const pastIncidentSchema = z.looseObject({
  id: z.string(),
  title: z.string(),
  service: z.string(),
  category: z.string(),
  openedAt: rfc3339,
  rootCause: z.string().default(''),
  remediation: z.string().default(''),
});

export const runbookSchema = z.looseObject({
  id: z.string(),
  title: z.string(),
  alerts: z.array(z.string()).default([]),
  markdown: z.string(),
  /** Where people read it (RUNBOOKS_REPO's blob URL); an alert's `runbook_url` pointing here picks this runbook. */
  url: z.string().optional(),
  /** What `runbooks lint` says of it: the runbook as a whole (not drilled) and per step number (vague). */
  marks: z
    .object({ runbook: z.array(z.string()).default([]), steps: z.record(z.string(), z.array(z.string())).default({}) })
    .optional(),
});

export type ServiceNode = z.infer<typeof serviceNodeSchema>;
export type Series = z.infer<typeof seriesSchema>;
export type LogLine = z.infer<typeof logLineSchema>;
export type Deploy = z.infer<typeof deploySchema>;
export type Change = z.infer<typeof changeSchema>;
export type PastIncident = z.infer<typeof pastIncidentSchema>;
export type Runbook = z.infer<typeof runbookSchema>;

/** What really happened in an incident: its root cause and the action that fixes it (a scenario's truth, scored against). */
export const truthSchema = z.looseObject({
  category: z.enum(CATEGORIES),
  service: z.string().nullable(),
  cause: z.string().nullable(),
  action: z.string(),
});

export type Truth = z.infer<typeof truthSchema>;
