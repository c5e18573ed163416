// A generated scene: a random topology with the healthy levels drawn for each service, the window (N one-minute
// points up to `now`), and what the generator records beside the live world: deploys, changes, the lines a situation
// has its services say, and harmless lookalikes. The signals themselves come from the live world (world-window.ts).
import { type GeneratedTopology, buildTopology } from '../../sandbox/world/random-topology.js';
import { Random } from '../../sandbox/world/random.js';
import type { Baseline, Topology, WorldService } from '../../sandbox/world/topology.js';
import type { Change, Deploy, LogLine } from '../../src/investigation/evidence-model.js';

export const N = 181;

export const STEP = 60;

export interface Scene {
  rng: Random;
  topo: GeneratedTopology;
  byName: Map<string, GeneratedTopology['services'][number]>;
  callers: Map<string, string[]>;
  nowSec: number;
  startSec: number;
  /** Healthy levels of each service that runs (not the vendors). */
  baselines: Map<string, Baseline>;
  /** Lines the scene's services say beyond what the world writes (a situation's own text, planted instructions). */
  logs: LogLine[];
  deploys: Deploy[];
  changes: Change[];
  /** Services whose own deploys or changes near the onset would make the truth ambiguous. */
  noChangeNearOnset: Set<string>;
  /** Harmless oddities, shown by the live world as its own state (world-window.ts). */
  lookalikes: Lookalike[];
}

/**
 * A harmless oddity on a healthy service: steady extra errors, a certificate near expiry, a disk or memory creeping, a
 * blip that recovered, pods restarting without memory growth, a busy database, CPU burnt on retries.
 */
export type Lookalike =
  | { kind: 'steady_errors'; service: string; level: number }
  | { kind: 'cert_soon'; service: string; notAfterSec: number }
  | { kind: 'disk_filling'; service: string; fromIdx: number; target: number }
  | { kind: 'memory_creep'; service: string; growth: number }
  | {
      kind: 'blip';
      service: string;
      fromIdx: number;
      len: number;
      signal: 'errors' | 'latency' | 'cpu';
      factor: number;
    }
  | { kind: 'restarts'; service: string; fromIdx: number; everyIdx: number }
  | { kind: 'busy_database'; service: string; fromIdx: number; rampIdx: number; connections: number }
  | { kind: 'retry_cpu'; service: string; fromIdx: number; cpu: number };

export const iso = (sec: number) => new Date(Math.round(sec) * 1000).toISOString().replace('.000Z', 'Z');

export const idxSec = (s: Scene, idx: number) => s.startSec + idx * STEP;

/** Whether a service exports HTTP error ratios (it serves requests). */
export const servesHttp = (s: Scene, name: string) => s.byName.get(name)?.kind === 'service';

/** `count` lines of `service` at random instants between the window's points `fromIdx` and `toIdx`. */
export function addLogs(
  s: Scene,
  service: string,
  level: LogLine['level'],
  lines: () => string,
  fromIdx: number,
  toIdx: number,
  count: number,
) {
  for (let k = 0; k < count; k++) {
    const idx = s.rng.float(fromIdx, toIdx);
    s.logs.push({ ts: iso(s.startSec + idx * STEP + s.rng.float(0, 59)), service, level, line: lines() });
  }
}

/** Healthy levels for each service that runs: what it exports depends on its kind. */
function drawBaselines(rng: Random, topo: GeneratedTopology): Map<string, Baseline> {
  const probed = new Set(topo.services.filter((s) => topo.depth.get(s.name) === 0).map((s) => s.name));
  for (const s of topo.services) if (s.kind === 'service' && rng.chance(0.15)) probed.add(s.name);
  const out = new Map<string, Baseline>();
  for (const s of topo.services) {
    if (s.kind === 'external') continue;
    const b: Baseline = {
      cpu: rng.float(0.12, 0.55),
      memoryBytes: rng.logFloat(1.5e8, 3e9),
      restarts: rng.int(0, 12),
      diskFree: rng.float(0.3, 0.92),
      probed: probed.has(s.name),
    };
    if (s.kind === 'service') {
      b.rps = rng.logFloat(15, 4000);
      b.errorRatio = rng.logFloat(0.0004, 0.006);
      b.latencyP99 = rng.logFloat(0.05, 0.8);
    }
    if (s.kind === 'database') {
      b.dbConnections = rng.float(0.1, 0.55);
      b.dbQueryLatency = rng.logFloat(0.002, 0.06);
    }
    const queue = topo.queues.get(s.name);
    if (s.kind === 'worker' && queue)
      b.queue = { name: queue, rate: rng.logFloat(3, 120), depth: rng.logFloat(5, 300) };
    out.set(s.name, b);
  }
  return out;
}

/** A fresh scene: a topology that can host `need`, and healthy levels for its services. */
export function newScene(rng: Random, need: (t: GeneratedTopology) => boolean = () => true): Scene {
  const size = rng.int(5, 25);
  let topo = buildTopology(rng, size);
  for (let k = 0; !need(topo) && k < 20; k++) topo = buildTopology(rng, Math.max(8, size));
  const nowSec = Math.floor(Date.UTC(2026, rng.int(0, 11), rng.int(1, 28), rng.int(0, 23), rng.int(0, 3) * 15) / 1000);
  const scene: Scene = {
    rng,
    topo,
    byName: new Map(topo.services.map((s) => [s.name, s])),
    callers: new Map(),
    nowSec,
    startSec: nowSec - (N - 1) * STEP,
    baselines: drawBaselines(rng, topo),
    logs: [],
    deploys: [],
    changes: [],
    noChangeNearOnset: new Set(),
    lookalikes: [],
  };
  for (const s of topo.services)
    for (const d of s.dependsOn) scene.callers.set(d, [...(scene.callers.get(d) ?? []), s.name]);
  return scene;
}

/** The scene's services with their healthy levels, as the live world's topology. */
export function sceneTopology(s: Scene): Topology {
  const services: WorldService[] = s.topo.services.map((x) => {
    const tier = x.tier === 1 || x.tier === 3 ? x.tier : 2;
    return { ...x, tier, baseline: { ...(s.baselines.get(x.name) ?? {}) } };
  });
  return { name: 'generated', services, runbooks: [], pastIncidents: [], files: {}, authors: [] };
}
