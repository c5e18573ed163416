// The repository's own fixtures (test/fixtures/): the example incident scenarios and the senders' webhook bodies.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { scenarioSchema, type Scenario } from '../../eval/scenario-format.js';

const fixturesDir = path.resolve(import.meta.dirname, '../fixtures');

/** The example scenarios (format: docs/scenario-format.md), each with its `truth`. */
export const scenariosDir = path.join(fixturesDir, 'scenarios');

/** The file of one example scenario, by id (`bad-deploy-shop-01`). */
export function scenarioPath(id: string): string {
  return path.join(scenariosDir, `${id}.json`);
}

/** One example scenario, parsed with the product's own schema. */
export function loadScenario(id: string): Scenario {
  return scenarioSchema.parse(JSON.parse(readFileSync(scenarioPath(id), 'utf8')));
}

/** The ids of every example scenario, sorted. */
export function scenarioIds(): string[] {
  return readdirSync(scenariosDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}

/** A webhook body exactly as its sender posts it (test/fixtures/webhooks/). */
export function webhookFixture(
  name: 'alertmanager-webhook' | 'pagerduty-webhook-v3-incident-triggered',
): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(fixturesDir, 'webhooks', `${name}.json`), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** The service a scenario's page names (its Alertmanager alert's `service` label, or its PagerDuty service). */
export function pagedService(s: Scenario): string {
  if (s.page.source === 'pagerduty')
    return (s.page.payload as unknown as { event: { data: { service: { summary: string } } } }).event.data.service
      .summary;
  return (s.page.payload as unknown as { commonLabels: { service: string } }).commonLabels.service;
}
