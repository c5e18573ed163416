// The scenario generator: seeded, deterministic v1 scenarios with truth, own topologies, noise and distractions, drawn
// from the simulator's topology, random source and fault catalogue and sampled from its live world (sandbox/world/).
import { canStrike } from '../../sandbox/world/fault-catalogue.js';
import { Random } from '../../sandbox/world/random.js';
import { CATEGORIES, type Category } from '../../src/investigation/evidence-model.js';
import type { Scenario } from '../scenario-format.js';
import { assemble } from './assemble.js';
import { distractions } from './distractions.js';
import { planFault } from './plan-fault.js';
import { N, newScene } from './scene.js';
import { addLookalikes, liveWorld, sampleWindow } from './world-window.js';

/** One scenario of `category`, reproducible from `seed`. */
export function generateScenario(seed: number, category: Category, label = `gen-${seed}`): Scenario {
  const rng = new Random(seed);
  const scene = newScene(rng, (t) => t.services.some((s) => canStrike(category, s)));
  const onset = N - 1 - rng.int(7, 40);
  const ramp = rng.chance(0.6) || N - 1 - onset < 12 ? 1 : rng.int(3, Math.min(14, N - 1 - onset - 6));
  const fault = planFault(scene, category, onset, ramp);
  const world = liveWorld(scene, fault.world);
  distractions(scene, fault, onset, world);
  addLookalikes(world, scene);
  return assemble(scene, fault, onset, label, undefined, sampleWindow(world, scene));
}

/** `count` scenarios from `seed`, cycling through every category so each is covered. */
export function generateScenarios({ count, seed }: { count: number; seed: number }): Scenario[] {
  const out: Scenario[] = [];
  const order = new Random(seed).shuffle(CATEGORIES);
  for (let i = 0; i < count; i++) {
    const category = order[i % order.length]!;
    out.push(generateScenario(seed * 100_003 + i * 7919, category, `gen-s${seed}-${String(i + 1).padStart(4, '0')}`));
  }
  return out;
}
