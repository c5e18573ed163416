// The generator samples the live world's model: a generated window's metrics are the world's signals at each step,
// every fault (the plain categories, the novel variants, the situations) is the world's own, and so are the harmless
// lookalikes.
import { describe, expect, it } from 'vitest';
import { canStrike } from '../../../sandbox/world/fault-catalogue.js';
import { formatSample } from '../../../sandbox/world/metrics.js';
import { Random } from '../../../sandbox/world/random.js';
import { planFault } from '../../../eval/generator/plan-fault.js';
import { N, STEP, idxSec, newScene, sceneTopology } from '../../../eval/generator/scene.js';
import { SITUATIONS } from '../../../eval/generator/situations.js';
import { addLookalikes, liveWorld, sampleWindow } from '../../../eval/generator/world-window.js';
import type { Category } from '../../../src/investigation/evidence-model.js';

function window(seed: number, category: Category) {
  const rng = new Random(seed);
  const w = newScene(rng, (t) => t.services.some((s) => canStrike(category, s)));
  const onset = N - 30;
  const fault = planFault(w, category, onset, 1);
  const world = liveWorld(w, fault.world);
  return { w, fault, onset, world, sampled: sampleWindow(world, w) };
}

describe('generated windows sampled from the world', () => {
  it('keeps the generated topology and its healthy levels as the world baselines', () => {
    const { w, world } = window(11, 'bad_deploy');
    expect(world.topology.services.map((s) => s.name)).toEqual(w.topo.services.map((s) => s.name));
    const topo = sceneTopology(w);
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
    w.lookalikes = [];
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

  it("makes each novel variant its own kind of the world's, striking calls and services that exist", () => {
    const kinds = new Map<string, number>();
    let noCall = 0;
    for (let seed = 1; seed <= 80; seed++) {
      const rng = new Random(seed);
      const w = newScene(rng);
      const fault = planFault(w, 'novel', N - 20, 1);
      expect(fault.world).toHaveLength(1);
      const spec = fault.world[0]!;
      kinds.set(spec.kind, (kinds.get(spec.kind) ?? 0) + 1);
      switch (spec.kind) {
        case 'network_partition':
          if (spec.from === spec.service) noCall++;
          else expect(w.byName.get(spec.from!)!.dependsOn).toContain(spec.service);
          break;
        case 'dns_failure':
          for (const edge of spec.text!.edges!.split(',')) {
            const [from, to] = edge.split('>');
            expect(w.byName.get(from!)!.dependsOn).toContain(to);
          }
          break;
        case 'zone_partition':
          expect(spec.text!.services!.split(',')).toEqual(fault.affected);
          break;
        default:
          expect(spec.kind).toBe('clock_skew');
          expect(fault.affected).toContain(spec.service);
      }
    }
    expect([...kinds.keys()].sort()).toEqual(['clock_skew', 'dns_failure', 'network_partition', 'zone_partition']);
    expect(noCall).toBe(0);
  });

  it('shows each novel kind in the signals and logs it would really produce', () => {
    const seen = new Set<string>();
    for (let seed = 1; seen.size < 4 && seed <= 60; seed++) {
      const rng = new Random(seed);
      const w = newScene(rng);
      const onset = N - 30;
      const fault = planFault(w, 'novel', onset, 1);
      const kind = fault.world[0]!.kind;
      if (seen.has(kind)) continue;
      seen.add(kind);
      const world = liveWorld(w, fault.world);
      const before = world.signalsAt(idxSec(w, onset - 5) * 1000);
      const after = world.signalsAt(idxSec(w, N - 1) * 1000);
      const lines = world
        .logs({ start: idxSec(w, onset) * 1000, end: w.nowSec * 1000 })
        .filter((l) => l.level !== 'info')
        .map((l) => l.line);
      const hit = fault.affected[0]!;
      switch (kind) {
        case 'dns_failure':
          // Latency only: the affected service waits on its lookups; its errors stay where they were.
          expect(after.get(hit)!.latencyP99!).toBeGreaterThan(before.get(hit)!.latencyP99! * 1.5);
          expect(after.get(hit)!.errorRatio!).toBeLessThan(0.05);
          expect(lines.some((l) => /^DNS lookup for .*svc\.cluster\.local took \d+s$/.test(l))).toBe(true);
          break;
        case 'clock_skew':
          expect(after.get(hit)!.errorRatio!).toBeGreaterThan(before.get(hit)!.errorRatio! + 0.02);
          expect(lines.some((l) => l.includes('token used before issued'))).toBe(true);
          break;
        case 'zone_partition':
          for (const s of fault.affected)
            expect(after.get(s)!.errorRatio!).toBeGreaterThan(before.get(s)!.errorRatio! + 0.01);
          expect(lines.some((l) => /zone [abc]$/.test(l))).toBe(true);
          break;
        case 'network_partition':
          expect(after.get(hit)!.upstream[fault.affected[1]!]!).toBeGreaterThan(0.03);
          expect(lines.some((l) => l.includes('i/o timeout'))).toBe(true);
          break;
      }
    }
    expect(seen.size).toBe(4);
  });

  it.each(Object.keys(SITUATIONS).map((name) => [name]))(
    'sets the %s situation up as faults of the world, which show in its signals after the onset',
    (name) => {
      const rng = new Random(4);
      const w = newScene(rng, (t) => t.services.some((s) => s.kind === 'database'));
      const onset = N - 25;
      const fault = SITUATIONS[name]!(w, onset, 1);
      expect(fault.world.length).toBeGreaterThan(0);
      const world = liveWorld(w, fault.world);
      const changed = (t: number) => {
        const now = world.signalsAt(t);
        const then = world.signalsAt(idxSec(w, onset - 3) * 1000);
        return [...now].some(([svc, sig]) => {
          const was = then.get(svc)!;
          const up = Object.entries(sig.upstream).some(([d, v]) => v > (was.upstream[d] ?? 0) + 0.01);
          return (
            up ||
            (sig.errorRatio ?? 0) > (was.errorRatio ?? 0) + 0.01 ||
            (sig.latencyP99 ?? 0) > (was.latencyP99 ?? 0) * 1.5 ||
            (sig.cpu ?? 0) > (was.cpu ?? 0) + 0.1 ||
            (sig.restarts ?? 0) > (was.restarts ?? 0) ||
            (sig.dbConnections ?? 0) > (was.dbConnections ?? 0) + 0.1
          );
        });
      };
      expect(changed(w.nowSec * 1000)).toBe(true);
    },
  );

  it('shows the harmless distractions as world state: a blip that recovers, restarts, a busy database, retry CPU', () => {
    const { w, fault, world, onset } = window(15, 'bad_deploy');
    w.lookalikes = [];
    const services = w.topo.services.filter(
      (s) => s.kind === 'service' && s.name !== fault.root && s.name !== fault.paged,
    );
    const db = w.topo.services.find((s) => s.kind === 'database')!;
    const [a, b, c] = services;
    w.lookalikes = [
      { kind: 'blip', service: a!.name, fromIdx: 50, len: 3, signal: 'errors', factor: 10 },
      { kind: 'restarts', service: b!.name, fromIdx: 40, everyIdx: 30 },
      { kind: 'busy_database', service: db.name, fromIdx: onset - 10, rampIdx: 3, connections: 0.8 },
      { kind: 'retry_cpu', service: (c ?? a)!.name, fromIdx: onset, cpu: 0.2 },
    ];
    addLookalikes(world, w);
    const at = (i: number) => world.signalsAt(idxSec(w, i) * 1000);
    expect(at(51).get(a!.name)!.errorRatio! - at(45).get(a!.name)!.errorRatio!).toBeGreaterThan(0.005);
    expect(at(60).get(a!.name)!.errorRatio!).toBeLessThan(at(51).get(a!.name)!.errorRatio!);
    expect(at(N - 1).get(b!.name)!.restarts! - at(0).get(b!.name)!.restarts!).toBe(5);
    expect(at(N - 1).get(b!.name)!.memoryBytes! / at(0).get(b!.name)!.memoryBytes!).toBeLessThan(1.1);
    expect(at(N - 1).get(db.name)!.dbConnections!).toBeGreaterThan(0.7);
    expect(at(N - 1).get(db.name)!.dbConnections!).toBeLessThan(0.9);
    expect(at(N - 1).get((c ?? a)!.name)!.cpu! - at(onset - 5).get((c ?? a)!.name)!.cpu!).toBeGreaterThan(0.1);
  });
});
