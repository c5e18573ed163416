// The incident-scenario format v1 (docs/scenario-format.md): a frozen snapshot of a production world at page time.
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

/** The action the spec expects for each category. */
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

const rfc3339 = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an RFC 3339 time' });

export const scenarioServiceSchema = z.looseObject({
  name: z.string().min(1),
  kind: z.enum(['service', 'worker', 'database', 'external']),
  team: z.string().optional(),
  tier: z.number().int().min(1).max(3).optional(),
  dependsOn: z.array(z.string()).default([]),
});

export const seriesSchema = z.looseObject({
  metric: z.record(z.string(), z.string()).refine((m) => typeof m.__name__ === 'string', { message: 'metric needs __name__' }),
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
});

export const truthSchema = z.looseObject({
  category: z.enum(CATEGORIES),
  service: z.string().nullable(),
  cause: z.string().nullable(),
  action: z.string(),
});

export const pageSchema = z.discriminatedUnion('source', [
  z.looseObject({ source: z.literal('alertmanager'), payload: z.looseObject({ version: z.string(), alerts: z.array(z.any()).min(1) }) }),
  z.looseObject({ source: z.literal('pagerduty'), payload: z.looseObject({ event: z.looseObject({ event_type: z.string() }) }) }),
]);

export const scenarioSchema = z.looseObject({
  version: z.literal(1),
  id: z.string().regex(/^[a-z0-9-]+$/, 'expected [a-z0-9-]+'),
  title: z.string(),
  now: rfc3339,
  services: z.array(scenarioServiceSchema).min(1),
  page: pageSchema,
  metrics: z.array(seriesSchema).default([]),
  logs: z.array(logLineSchema).default([]),
  deploys: z.array(deploySchema).default([]),
  changes: z.array(changeSchema).default([]),
  pastIncidents: z.array(pastIncidentSchema).default([]),
  runbooks: z.array(runbookSchema).default([]),
  truth: truthSchema.optional(),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioService = z.infer<typeof scenarioServiceSchema>;
export type Series = z.infer<typeof seriesSchema>;
export type LogLine = z.infer<typeof logLineSchema>;
export type Deploy = z.infer<typeof deploySchema>;
export type Change = z.infer<typeof changeSchema>;
export type PastIncident = z.infer<typeof pastIncidentSchema>;
export type Runbook = z.infer<typeof runbookSchema>;
export type Truth = z.infer<typeof truthSchema>;
