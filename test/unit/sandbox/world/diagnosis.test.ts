// Each scenario of the trigger menu produces signals that fire its alert and that the deterministic investigator diagnoses.
import { describe, expect, it } from 'vitest';
import { investigateDeterministic, pageSummaryFromAlertmanager } from '../../../../src/investigation/investigate.js';
import {
  World,
  WORLD_SCENARIOS,
  createWorldClock,
  createWorldEvidence,
  triggerScenario,
} from '../../../../sandbox/world/index.js';

const CAUSE_MATTERS = new Set(['bad_deploy', 'config_change', 'memory_leak']);

// Three instants and seeds, so that noise, background deploys and the time of day differ between runs.
const WORLDS = [
  { start: '2026-11-22T14:03:00Z', seed: 'a' },
  { start: '2026-11-23T03:17:00Z', seed: 'b' },
  { start: '2026-12-01T19:45:30Z', seed: 'c' },
];

describe('the trigger menu', () => {
  it('offers one scenario for every category, novel included', () => {
    const categories = new Set(WORLD_SCENARIOS.map((s) => s.category));
    expect([...categories].sort()).toEqual(
      [
        'bad_deploy',
        'certificate_expiry',
        'config_change',
        'cpu_saturation',
        'db_saturation',
        'disk_full',
        'memory_leak',
        'novel',
        'queue_backlog',
        'third_party_outage',
        'traffic_surge',
      ].sort(),
    );
    expect(new Set(WORLD_SCENARIOS.map((s) => s.id)).size).toBe(WORLD_SCENARIOS.length);
  });
});

describe.each(WORLDS)('a world at $start (seed $seed)', ({ start, seed }) => {
  it.each(WORLD_SCENARIOS.map((s) => [s.id]))(
    '%s fires its alert and is diagnosed as what was injected',
    async (id) => {
      const clock = createWorldClock({ speed: 0, start: new Date(start) });
      const world = new World({ clock, seed });
      const triggered = triggerScenario(world, id);
      expect(triggered.evaluation.firing).toBe(true);
      clock.advance(60_000);

      const result = await investigateDeterministic({
        page: pageSummaryFromAlertmanager(triggered.page),
        sources: createWorldEvidence(world),
        now: clock.nowMs(),
      });

      const truth = triggered.truth;
      if (truth.category === 'novel') {
        expect(result.novel).toBe(true);
        return;
      }
      expect(result.novel).toBe(false);
      const top = result.hypotheses[0]!;
      expect({ category: top.category, service: top.service }).toEqual({
        category: truth.category,
        service: truth.service,
      });
      if (CAUSE_MATTERS.has(truth.category)) expect(top.cause).toBe(truth.cause);
      expect(result.suggestedStep?.action).toBe(truth.action);
    },
  );
});
