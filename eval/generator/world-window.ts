// A generated window as a live world (sandbox/world/): the generator's topology and healthy levels become the world's
// topology and baselines, the injected fault becomes one of the world's faults, and the window's metrics and log lines
// are sampled from the world's model at the scenario's step rather than bent into arrays.
import { FAULT_CATALOGUE } from '../../sandbox/world/fault-catalogue.js';
import { WORLD_METRICS, buildSeries } from '../../sandbox/world/metrics.js';
import type { Baseline, Topology, WorldService } from '../../sandbox/world/topology.js';
import { createWorldClock } from '../../sandbox/world/world-clock.js';
import { World as LiveWorld } from '../../sandbox/world/world.js';
import type { LogLine, Series } from '../../src/investigation/evidence-model.js';
import type { Fault } from './effects.js';
import { N, STEP, type Arr, type World, idxSec } from './window.js';

const MINUTE = 60_000;

/** The healthy level of a series: its median over the first points of the window, before anything happens. */
function healthy(a: Arr | undefined, points = 10): number | undefined {
  if (!a) return undefined;
  const head = a.slice(0, points).sort((x, y) => x - y);
  return head[Math.floor(head.length / 2)];
}

/** The generator's services with the healthy levels it drew for them, as the live world's topology. */
export function worldTopology(w: World): Topology {
  const services: WorldService[] = w.topo.services.map((s) => {
    const m = w.m.get(s.name);
    const queue = w.topo.queues.get(s.name);
    const baseline: Baseline = m
      ? {
          rps: healthy(m.req),
          errorRatio: healthy(m.err),
          latencyP99: healthy(m.lat),
          cpu: healthy(m.cpu),
          memoryBytes: healthy(m.mem),
          restarts: m.restarts[0],
          diskFree: healthy(m.disk),
          dbConnections: healthy(m.conns),
          dbQueryLatency: healthy(m.qlat),
          queue:
            queue && m.depth && m.processed
              ? { name: queue, depth: healthy(m.depth)!, rate: healthy(m.processed)! }
              : undefined,
          probed: m.probe !== undefined,
        }
      : {};
    const tier = s.tier === 1 || s.tier === 3 ? s.tier : 2;
    return { ...s, tier, baseline };
  });
  return { name: 'generated', services, runbooks: [], pastIncidents: [], files: {}, authors: [] };
}

/** The world's fault for the generator's: its kind from the catalogue, starting at the onset, with drawn strengths. */
export function worldFault(w: World, fault: Fault, onset: number, ramp: number): Parameters<LiveWorld['addFault']>[0] {
  const { rng } = w;
  const kind =
    fault.category === 'novel' ? (fault.novelKind ?? 'network_partition') : FAULT_CATALOGUE[fault.category].kind;
  const startAt = idxSec(w, onset) * 1000;
  const rampMs = ramp * STEP * 1000;
  const base = { kind, scenario: `generated-${fault.category}`, cause: fault.cause, startAt };
  const service = fault.root ?? fault.affected[0] ?? fault.paged;
  const cpu = w.m.get(service)?.cpu[0] ?? 0.3;
  const causeDeploy = w.deploys.find((d) => d.id === fault.cause);
  switch (kind) {
    case 'bad_deploy':
    case 'config_change': {
      // The stack traces name the class the bad deploy touched, so a later harmless deploy can be told apart.
      const cls = causeDeploy?.title.split(' ').at(-1) ?? 'RequestHandler';
      const file = causeDeploy?.files[0] ?? 'src/handler.ts';
      return {
        ...base,
        service,
        params: { errorRatio: rng.logFloat(0.04, 0.6), rampMs },
        text: {
          exception: `TypeError: Cannot read properties of undefined (reading '${rng.pick(['locale', 'id', 'price', 'items'])}') at ${cls}.handle (${file}:${rng.int(20, 400)})`,
          handler: cls,
          error: `${cls} failed: schema mismatch: expected v2 payload`,
        },
      };
    }
    case 'third_party_outage':
      return { ...base, service, params: { failure: rng.logFloat(0.1, 0.9), timeoutLatency: rng.float(2, 8), rampMs } };
    case 'cpu_saturation':
      return { ...base, service, params: { hotPath: Math.max(0.2, 1.05 - cpu) + rng.float(0.05, 0.4), rampMs } };
    case 'traffic_surge': {
      const factor = Math.max(rng.float(1.9, 5), 1.1 / cpu);
      // What the surge passes to the services it calls stays short of saturating them.
      const deps = (w.byName.get(service)?.dependsOn ?? [])
        .map((d) => w.m.get(d)?.cpu[0])
        .filter((c) => c !== undefined);
      const room = Math.min(0.15, ...deps.map((c) => Math.max(0, 0.55 / c - 1) / (factor - 1)));
      return { ...base, service, params: { factor, downstreamShare: room, rampMs } };
    }
    case 'memory_leak': {
      // The leak began with the deploy that shipped it; the first pod is OOM-killed at the onset.
      const leakFor = causeDeploy ? startAt - Date.parse(causeDeploy.ts) : rng.int(40, 140) * MINUTE;
      return {
        ...base,
        service,
        startAt: startAt - leakFor,
        params: { oomAfterMs: leakFor, errorRatio: rng.logFloat(0.03, 0.4) },
      };
    }
    case 'disk_full': {
      const fillMs = rng.int(15, 70) * MINUTE;
      return { ...base, service, startAt: startAt - fillMs, params: { fillMs, errorRatio: rng.logFloat(0.04, 0.5) } };
    }
    case 'certificate_expiry':
      return { ...base, service, params: { errorRatio: rng.float(0.2, 0.9) } };
    case 'db_saturation':
      return { ...base, service, text: { query: 'SELECT * FROM events WHERE created_at > $1' }, params: { rampMs } };
    case 'queue_backlog':
      return { ...base, service, params: { rampMs } };
    case 'network_partition': {
      // The partition cuts the affected service from an internal upstream or, with none, from its callers' calls.
      const hit = fault.affected[0] ?? fault.paged;
      const inside = (w.byName.get(hit)?.dependsOn ?? []).filter((d) => w.byName.get(d)?.kind !== 'external');
      const caller = w.callers.get(hit)?.[0];
      const cut = fault.affected[1];
      const [from, to] =
        cut && inside.includes(cut) ? [hit, cut] : inside[0] ? [hit, inside[0]] : caller ? [caller, hit] : [hit, hit];
      return {
        ...base,
        service: to,
        from,
        params: { failure: rng.logFloat(0.06, 0.6), latency: rng.float(1, 4), rampMs },
      };
    }
    case 'dns_failure': {
      // The resolver answers slowly for the affected service's lookups: each of its calls waits seconds, none fails.
      const hit = fault.affected[0] ?? fault.paged;
      const deps = w.byName.get(hit)?.dependsOn ?? [];
      const edges = deps.length ? deps.map((d) => `${hit}>${d}`) : (w.callers.get(hit) ?? []).map((c) => `${c}>${hit}`);
      return {
        ...base,
        service: hit,
        text: { edges: edges.join(',') },
        params: { failure: 0, latency: rng.float(1.5, 6) / Math.max(1, edges.length), rampMs },
      };
    }
    case 'clock_skew':
      return {
        ...base,
        service: fault.affected[0] ?? fault.paged,
        params: { errorRatio: rng.logFloat(0.03, 0.4), driftMs: rng.int(200, 4000), rampMs },
      };
    case 'zone_partition': {
      const hit = fault.affected.length ? fault.affected : [fault.paged];
      const params: Record<string, number> = { rampMs };
      for (const s of hit) {
        params[`errorRatio:${s}`] = rng.logFloat(0.02, 0.15);
        params[`latency:${s}`] = rng.chance(0.5) ? rng.float(0.5, 3) : 0;
      }
      return { ...base, service: hit[0]!, text: { services: hit.join(','), zone: rng.pick(['a', 'b', 'c']) }, params };
    }
    case 'blip':
    case 'crash_restarts':
    case 'busy_database':
    case 'retry_cpu':
      throw new Error(`${kind} is harmless: it is a lookalike, never the generated fault`);
  }
}

/** A live world holding the generated window's topology and `faults`, stopped at the window's now. */
export function liveWorld(w: World, faults: ReadonlyArray<Parameters<LiveWorld['addFault']>[0]>): LiveWorld {
  const world = new LiveWorld({
    clock: createWorldClock({ speed: 0, start: new Date(w.nowSec * 1000) }),
    topology: worldTopology(w),
    seed: `generated-${w.nowSec}`,
  });
  for (const spec of faults) {
    world.addFault(spec);
    if (spec.kind === 'certificate_expiry') world.expireCertificate(spec.service, spec.startAt);
  }
  return world;
}

/** A live world holding the generated window's topology and its one injected fault. */
export function liveWorldOf(w: World, fault: Fault, onset: number, ramp: number): LiveWorld {
  return liveWorld(w, [worldFault(w, fault, onset, ramp)]);
}

/**
 * The generator's harmless oddities as the world's own state: a service whose healthy error level is higher, a
 * certificate that expires soon, a disk or memory that creeps (the world's disk_full and memory_leak faults, slow
 * enough never to fill or OOM in the window), and the world's harmless kinds: a blip that recovered, pods restarting
 * with no memory growth, a busy database, CPU burnt on retries. They are not the incident: the truth stays the
 * injected fault.
 */
export function addLookalikes(world: LiveWorld, w: World): void {
  const startMs = w.startSec * 1000;
  const windowMs = (N - 1) * STEP * 1000;
  for (const l of w.lookalikes) {
    const service = world.topology.services.find((s) => s.name === l.service);
    if (!service) continue;
    const scenario = 'generated-distraction';
    switch (l.kind) {
      case 'steady_errors':
        service.baseline.errorRatio = (service.baseline.errorRatio ?? 0) + l.level;
        break;
      case 'cert_soon':
        if (service.baseline.probed) world.expireCertificate(l.service, l.notAfterSec * 1000);
        break;
      case 'disk_filling': {
        // Free space falls from its healthy level towards `target` by the window's end, and no further.
        const base = service.baseline.diskFree ?? 0.6;
        const sinceMs = windowMs - l.fromIdx * STEP * 1000;
        const fillMs = (sinceMs * base) / Math.max(0.01, base - l.target);
        if (base > l.target)
          world.addFault({
            kind: 'disk_full',
            scenario,
            service: l.service,
            startAt: startMs + l.fromIdx * STEP * 1000,
            params: { fillMs },
          });
        break;
      }
      case 'blip': {
        // A minute or few of trouble that recovered by itself.
        const b = service.baseline;
        const params: Record<string, number> =
          l.signal === 'errors'
            ? { errorRatio: (b.errorRatio ?? 0.002) * (l.factor - 1) + 0.01 }
            : l.signal === 'latency'
              ? { latencyFactor: l.factor - 1 }
              : { cpu: Math.min(0.95, (b.cpu ?? 0.3) * l.factor) - (b.cpu ?? 0.3) };
        const startAt = startMs + l.fromIdx * STEP * 1000;
        world.addFault({
          kind: 'blip',
          scenario,
          service: l.service,
          startAt,
          clearedAt: startAt + l.len * STEP * 1000,
          params,
        });
        break;
      }
      case 'restarts':
        world.addFault({
          kind: 'crash_restarts',
          scenario,
          service: l.service,
          startAt: startMs + l.fromIdx * STEP * 1000,
          params: { everyMs: l.everyIdx * STEP * 1000 },
        });
        break;
      case 'busy_database':
        world.addFault({
          kind: 'busy_database',
          scenario,
          service: l.service,
          startAt: startMs + l.fromIdx * STEP * 1000,
          params: { connections: l.connections, rampMs: l.rampIdx * STEP * 1000 },
        });
        break;
      case 'retry_cpu':
        world.addFault({
          kind: 'retry_cpu',
          scenario,
          service: l.service,
          startAt: startMs + l.fromIdx * STEP * 1000,
          params: { cpu: l.cpu, rampMs: 3 * STEP * 1000 },
        });
        break;
      case 'memory_creep':
        // Memory grows by `growth` of its healthy level over the window: far from the limit, so nothing is killed.
        world.addFault({
          kind: 'memory_leak',
          scenario,
          service: l.service,
          startAt: startMs,
          params: { oomAfterMs: (3.2 * windowMs) / l.growth },
        });
        break;
    }
  }
}

/** The window's metrics and log lines, sampled from the world's model every STEP seconds from start to now. */
export function sampleWindow(world: LiveWorld, w: World): { metrics: Series[]; logs: LogLine[] } {
  const range = { start: w.startSec * 1000, end: w.nowSec * 1000, stepMs: STEP * 1000 };
  const services = world.topology.services.map((s) => s.name);
  // Scrapes go missing now and then; Prometheus simply leaves those steps out of the matrix.
  const metrics = WORLD_METRICS.flatMap((m) => buildSeries(world, m, services, range)).map((series) => {
    const gaps = w.rng.chance(0.1) ? w.rng.float(0.01, 0.05) : 0;
    return { ...series, values: series.values.filter((_, i) => i === N - 1 || !w.rng.chance(gaps)) };
  });
  const logs: LogLine[] = [];
  for (let i = 0; i < N; i++) {
    const t = idxSec(w, i) * 1000;
    logs.push(...world.logs({ start: t, end: t + STEP * 1000 - 1 }).filter((l) => l.level !== 'info' || i % 10 === 0));
  }
  return { metrics, logs };
}
