// A generated scene as a live world (sandbox/world/): the scene's topology and healthy levels become the world's
// topology and baselines, its faults and harmless lookalikes become the world's own, and the window's metrics and log
// lines are sampled from the world's model at the scenario's step.
import { WORLD_METRICS, buildSeries } from '../../sandbox/world/metrics.js';
import { createWorldClock } from '../../sandbox/world/world-clock.js';
import { World as LiveWorld } from '../../sandbox/world/world.js';
import type { LogLine, Series } from '../../src/investigation/evidence-model.js';
import type { WorldFault } from './plan-fault.js';
import { N, STEP, type Scene, idxSec, sceneTopology } from './scene.js';

/** A live world holding the generated window's topology and `faults`, stopped at the window's now. */
export function liveWorld(w: Scene, faults: readonly WorldFault[]): LiveWorld {
  const world = new LiveWorld({
    clock: createWorldClock({ speed: 0, start: new Date(w.nowSec * 1000) }),
    topology: sceneTopology(w),
    seed: `generated-${w.nowSec}`,
  });
  for (const spec of faults) {
    world.addFault(spec);
    if (spec.kind === 'certificate_expiry') world.expireCertificate(spec.service, spec.startAt);
  }
  return world;
}

/**
 * The generator's harmless oddities as the world's own state: a service whose healthy error level is higher, a
 * certificate that expires soon, a disk or memory that creeps (the world's disk_full and memory_leak faults, slow
 * enough never to fill or OOM in the window), and the world's harmless kinds: a blip that recovered, pods restarting
 * with no memory growth, a busy database, CPU burnt on retries. They are not the incident: the truth stays the
 * injected fault.
 */
export function addLookalikes(world: LiveWorld, w: Scene): void {
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
export function sampleWindow(world: LiveWorld, w: Scene): { metrics: Series[]; logs: LogLine[] } {
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
    // The world shares its lines read-only; a scenario's are its own, to be edited and written out.
    const lines = world.logs({ start: t, end: t + STEP * 1000 - 1 });
    logs.push(...lines.filter((l) => l.level !== 'info' || i % 10 === 0).map((l) => ({ ...l })));
  }
  return { metrics, logs };
}
