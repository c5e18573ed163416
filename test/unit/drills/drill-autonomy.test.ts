// Drills run with the example autonomy policy: the one copilot.example.yml documents, and what it allows per scenario.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { buildDrillFileConfig, policyForTruth } from '../../../sandbox/drill/drill-autonomy.js';
import { WORLD_SCENARIOS } from '../../../sandbox/world/scenarios.js';
import { World } from '../../../sandbox/world/world.js';

describe('the drills’ autonomy policy', () => {
  const file = buildDrillFileConfig(new Date('2026-11-24T10:00:00Z'));

  it('is the autonomy section of copilot.example.yml', () => {
    const example = loadConfig(
      { COPILOT_CONFIG: 'copilot.example.yml' },
      path.resolve(import.meta.dirname, '../../..'),
    );
    expect(file.autonomy).toEqual(example.file.autonomy);
  });

  it('lets the copilot fix alone the bad deploy and the saturations of tier-2 and tier-3 services, nothing novel', () => {
    const allowed = WORLD_SCENARIOS.filter((s) => {
      const world = new World({ seed: 'policy' });
      return policyForTruth(file, s.inject(world, world.now()).truth).allowedAlone;
    }).map((s) => s.id);
    expect(allowed).toEqual(['bad-deploy-search', 'cpu-saturation-inventory', 'queue-backlog-email-worker']);
    expect(policyForTruth(file, { category: 'novel', service: null, cause: null, action: 'escalate' })).toEqual({
      allowedAlone: false,
      rule: 'none',
      mode: 'none',
    });
  });
});
