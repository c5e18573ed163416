// One fault catalogue for the simulator: the live world's trigger menu and the scenario generator both keep to it.
import { describe, expect, it } from 'vitest';
import { CATEGORIES, type Category } from '../../../../src/investigation/evidence-model.js';
import { generateScenarios } from '../../../../eval/generator/generate-scenarios.js';
import type { Scenario } from '../../../../eval/scenario-format.js';
import { generateSituations } from '../../../../eval/generator/situations.js';
import { canStrike, categoryOfKind, FAULT_CATALOGUE } from '../../../../sandbox/world/fault-catalogue.js';
import { World, WORLD_SCENARIOS, createWorldClock, triggerScenario } from '../../../../sandbox/world/index.js';
import { SHOP_TOPOLOGY, serviceOf } from '../../../../sandbox/world/topology.js';

describe('the fault catalogue', () => {
  it('has one entry per category, each naming the kind that simulates it', () => {
    expect(Object.keys(FAULT_CATALOGUE).sort()).toEqual([...CATEGORIES].sort());
    for (const c of CATEGORIES) expect(categoryOfKind(FAULT_CATALOGUE[c].kind)).toBe(c);
  });

  it.each(WORLD_SCENARIOS.map((s) => [s.id]))(
    "the world's %s injects the catalogue's kind, where it can strike, and pages with one of its alerts",
    (id) => {
      const world = new World({
        clock: createWorldClock({ speed: 0, start: new Date('2026-11-22T14:03:00Z') }),
        seed: 'catalogue',
      });
      const scenario = WORLD_SCENARIOS.find((s) => s.id === id)!;
      const triggered = triggerScenario(world, id);
      const spec = FAULT_CATALOGUE[scenario.category];
      const faults = world.listFaults();
      expect(faults.map((f) => f.kind)).toEqual([spec.kind]);
      if (scenario.category !== 'novel')
        expect(canStrike(scenario.category, serviceOf(SHOP_TOPOLOGY, faults[0]!.service)!)).toBe(true);
      expect(spec.alerts).toContain((triggered.page.commonLabels as Record<string, string>).alertname);
      expect(triggered.truth.action).toBe(spec.action);
    },
  );

  const alertnameOf = (s: Scenario): string =>
    s.page.source === 'alertmanager'
      ? (s.page.payload as unknown as { commonLabels: { alertname: string } }).commonLabels.alertname
      : /\] (\w+) /.exec((s.page.payload as unknown as { event: { data: { title: string } } }).event.data.title)![1]!;

  it('bounds what the generator makes: each root where its category can strike, each page one of its alerts', () => {
    for (const s of generateScenarios({ count: 44, seed: 5 })) {
      const category = s.truth!.category as Category;
      const spec = FAULT_CATALOGUE[category];
      expect(spec.alerts, `${s.id} (${category})`).toContain(alertnameOf(s));
      if (s.truth!.service)
        expect(
          canStrike(
            category,
            s.services.find((x) => x.name === s.truth!.service)!,
          ),
          s.id,
        ).toBe(true);
      expect(s.truth!.action).toBe(spec.action);
    }
    // CPU-bound: 44 scenarios sampled from the live world take 10–15 s alone and longer on a shared machine.
  }, 120_000);

  it("pages the generator's harder situations with the catalogue's alerts and fixes too (their roots may go further)", () => {
    for (const s of generateSituations({ count: 24, seed: 5 })) {
      const spec = FAULT_CATALOGUE[s.truth!.category as Category];
      expect(spec.alerts, s.id).toContain(alertnameOf(s));
      expect(s.truth!.action).toBe(spec.action);
    }
    // Generating 24 situations takes a few seconds alone and over 20 on a loaded machine: a bound, not a speed test.
  }, 120_000);
});
