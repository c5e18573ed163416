// The repository's fixtures stay usable: every example scenario parses and carries its truth, and the factories'
// default webhook bodies are the recorded ones.
import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../src/investigation/evidence-model.js';
import { makeAlertmanagerPayload, makePagerDutyPayload } from '../helpers/factories.js';
import { loadScenario, scenarioIds, webhookFixture } from '../helpers/fixtures.js';

describe('test fixtures', () => {
  it('hold an example scenario with a truth for every category, each valid under the product schema', () => {
    const ids = scenarioIds();
    const categories = new Set(
      ids.map((id) => {
        const scenario = loadScenario(id);
        expect(scenario.id).toBe(id);
        expect(scenario.truth).toBeDefined();
        return scenario.truth!.category;
      }),
    );
    expect([...categories].sort()).toEqual([...CATEGORIES].sort());
  });

  it('make the factories build the recorded webhook bodies by default', () => {
    expect(makeAlertmanagerPayload()).toEqual(webhookFixture('alertmanager-webhook'));
    expect(makePagerDutyPayload()).toEqual(webhookFixture('pagerduty-webhook-v3-incident-triggered'));
  });
});
