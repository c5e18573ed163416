// The incident-scenario file format v1 (docs/scenario-format.md): a frozen snapshot of a production world at page time,
// mapped onto the investigation's evidence model (src/investigation/evidence-model.ts) plus a page and, for scoring, a truth.
import { z } from 'zod';
import {
  changeSchema,
  deploySchema,
  logLineSchema,
  pastIncidentSchema,
  rfc3339,
  runbookSchema,
  seriesSchema,
  serviceNodeSchema,
  truthSchema,
} from '../src/investigation/evidence-model.js';
import { pageSummaryFromAlertmanager, pageSummaryFromPagerDuty } from '../src/investigation/page-summary.js';
import type { PageSummary } from '../src/investigation/ports.js';

export const pageSchema = z.discriminatedUnion('source', [
  z.looseObject({
    source: z.literal('alertmanager'),
    payload: z.looseObject({ version: z.string(), alerts: z.array(z.any()).min(1) }),
  }),
  z.looseObject({
    source: z.literal('pagerduty'),
    payload: z.looseObject({ event: z.looseObject({ event_type: z.string() }) }),
  }),
]);

export const scenarioSchema = z.looseObject({
  version: z.literal(1),
  id: z.string().regex(/^[a-z0-9-]+$/, 'expected [a-z0-9-]+'),
  title: z.string(),
  now: rfc3339,
  services: z.array(serviceNodeSchema).min(1),
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

/** The page of a scenario file. */
export function pageSummaryFromScenario(s: Pick<Scenario, 'page'>): PageSummary {
  return s.page.source === 'alertmanager'
    ? pageSummaryFromAlertmanager(s.page.payload)
    : pageSummaryFromPagerDuty(s.page.payload);
}
