// The generator samples the live world's model: a generated window's metrics are the world's signals at each step.
import { describe, expect, it } from 'vitest';
import { canStrike } from '../../../sandbox/world/fault-catalogue.js';
import { formatSample } from '../../../sandbox/world/metrics.js';
import { Random } from '../../../sandbox/world/random.js';
import { injectFault } from '../../../eval/generator/inject-fault.js';
import { N, STEP, idxSec, newWorld } from '../../../eval/generator/window.js';
import {
  addLookalikes,
  liveWorldOf,
  sampleWindow,
  worldFault,
  worldTopology,
} from '../../../eval/generator/world-window.js';
import type { Category } from '../../../src/investigation/evidence-model.js';

function window(seed: number, category: Category) {
  const rng = new Random(seed);
  const w = newWorld(rng, (t) => t.services.some((s) => canStrike(category, s)));
  const onset = N - 30;
  const fault = injectFault(w, category, onset, 1);
  const world = liveWorldOf(w, fault, onset, 1);
  return { w, fault, onset, world, sampled: sampleWindow(world, w) };
}

describe('generated windows sampled from the world', () => {
  it('keeps the generated topology and its healthy levels as the world baselines', () => {
    const { w, world } = window(11, 'bad_deploy');
    expect(world.topology.services.map((s) => s.name)).toEqual(w.topo.services.map((s) => s.name));
    const topo = worldTopology(w);
    const db = topo.services.find((s) => s.kind === 'database')!;
    expect(db.baseline.dbConnections).toBeGreaterThan(0);
    expect(db.baseline.rps).toBeUndefined();
  });

  it("reports the world model's value at every step it keeps", () => {
    const { w, world, sampled } = window(12, 'cpu_saturation');
    const cpu = sampled.metrics.filter((m) => m.metric.__name__ === 'container_cpu_usage:ratio');
    expect(cpu.length).toBe(w.topo.services.filter((s) => s.kind !== 'external').length);
    for (const series of cpu)
      for (const [sec, value] of series.values)
        expect(value).toBe(formatSample(world.signalsAt(sec * 1000).get(series.metric.service!)!.cpu!));
    expect(Math.max(...cpu.map((s) => s.values.length))).toBe(N);
  });

  it('shows the fault from its onset on the struck service, not before', () => {
    const { w, fault, onset, sampled } = window(13, 'bad_deploy');
    const err = sampled.metrics.find(
      (m) => m.metric.__name__ === 'service:http_errors:ratio_rate5m' && m.metric.service === fault.root,
    )!;
    const at = (sec: number) => err.values.filter(([t]) => (sec < 0 ? t < -sec : t >= sec)).map(([, v]) => +v);
    const onsetSec = idxSec(w, onset);
    expect(Math.max(...at(-onsetSec))).toBeLessThan(0.03);
    expect(Math.min(...at(onsetSec + 3 * STEP))).toBeGreaterThan(0.03);
    expect(sampled.logs.some((l) => l.service === fault.root && l.level === 'error')).toBe(true);
  });

  it('shows the harmless lookalikes as world state: memory creeping without a restart, a disk filling short of full', () => {
    const { w, fault, world } = window(14, 'traffic_surge');
    const [a, b] = w.topo.services.filter((s) => s.kind !== 'external' && s.name !== fault.root);
    w.lookalikes.push({ kind: 'memory_creep', service: a!.name, growth: 0.4 });
    w.lookalikes.push({ kind: 'disk_filling', service: b!.name, fromIdx: 60, target: 0.2 });
    addLookalikes(world, w);
    const at = (i: number) => world.signalsAt(idxSec(w, i) * 1000);
    const first = at(0).get(a!.name)!;
    const last = at(N - 1).get(a!.name)!;
    expect(last.memoryBytes! / first.memoryBytes!).toBeGreaterThan(1.3);
    expect(last.restarts).toBe(first.restarts);
    expect(at(N - 1).get(b!.name)!.diskFree).toBeCloseTo(0.2, 1);
    expect(at(30).get(b!.name)!.diskFree).toBeGreaterThan(0.25);
  });

  it('makes a novel fault a partition of a call that exists, so the world shows it', () => {
    let noCall = 0;
    for (let seed = 1; seed <= 80; seed++) {
      const rng = new Random(seed);
      const w = newWorld(rng);
      const fault = injectFault(w, 'novel', N - 20, 1);
      const spec = worldFault(w, fault, N - 20, 1);
      expect(spec.kind).toBe('network_partition');
      if (spec.from === spec.service) noCall++;
      else expect(w.byName.get(spec.from!)!.dependsOn).toContain(spec.service);
    }
    expect(noCall).toBeLessThanOrEqual(1);
  });
});
