// Building blocks of the harder situations (situations.ts): what each sets up in the live world (its faults, as the
// world's own kinds), stack traces, the page's path, and the real-telemetry shape (per-pod series, no error ratios).
import { Random } from '../../sandbox/world/random.js';
import type { Category, Deploy, Series } from '../../src/investigation/evidence-model.js';
import type { Scenario } from '../scenario-format.js';
import { type Fault, type WorldFault, choosePaged } from './plan-fault.js';
import { N, STEP, type Scene, addLogs, idxSec } from './scene.js';

/** A situation sets up the scene and returns its fault: the truth, the page, and the world's faults. */
export type Situation = (w: Scene, onset: number, ramp: number) => Fault;

export const fileOf = (cls: string) => `src/${cls.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}.ts`;

export const http = (w: Scene) => w.topo.services.filter((s) => s.kind === 'service').map((s) => s.name);

export const fault = (
  category: Category,
  root: string | null,
  cause: string | null,
  paged: string,
  world: WorldFault[],
  alertname = 'HighErrorRate',
): Fault => ({ category, root, cause, paged, alertname, affected: [], world });

/** World time (unix ms) of the window's point `idx`. */
export const msAt = (w: Scene, idx: number) => idxSec(w, idx) * 1000;

/**
 * A world fault of `kind` on `service` from the window's point `onset`, rising over `ramp` points. Quiet: it writes no
 * log lines of its own (the situation writes what its services say).
 */
export function quiet(
  w: Scene,
  kind: WorldFault['kind'],
  service: string,
  onset: number,
  ramp: number,
  params: Record<string, number> = {},
  extra: Partial<WorldFault> = {},
): WorldFault {
  return {
    kind,
    scenario: 'generated-situation',
    service,
    startAt: msAt(w, onset),
    params: { rampMs: ramp * STEP * 1000, quietLogs: 1, ...params },
    ...extra,
  };
}

/** Stack traces naming the module the bad build changed. */
export function stackTraces(w: Scene, service: string, cls: string, from: number) {
  const { rng } = w;
  addLogs(
    w,
    service,
    'error',
    () =>
      `TypeError: Cannot read properties of undefined (reading '${rng.pick(['id', 'price', 'items', 'locale'])}') at ${cls}.handle (${fileOf(cls)}:${rng.int(20, 400)})`,
    from,
    N - 1,
    rng.int(5, 12),
  );
}

/** A deploy's warm-up: errors and latency for a minute or three, then back to normal (a blip that recovers). */
export function warmup(w: Scene, service: string, idx: number): WorldFault[] {
  if (w.byName.get(service)?.kind !== 'service') return [];
  const startAt = msAt(w, idx);
  const len = w.rng.int(1, 3);
  return [
    {
      kind: 'blip',
      scenario: 'generated-situation',
      service,
      startAt,
      clearedAt: startAt + len * STEP * 1000,
      params: { errorRatio: w.rng.float(0.01, 0.05), latencyFactor: w.rng.float(0.5, 2) },
    },
  ];
}

/**
 * A service failing from the onset (a bad build or change of its own: `kind`), with the caller the page lands on.
 * The world carries the failure up the call graph.
 */
export function breakService(
  w: Scene,
  root: string,
  onset: number,
  ramp: number,
  e: number,
  preferSelf: number,
  kind: 'bad_deploy' | 'config_change',
  cause: string,
): { paged: string; world: WorldFault[] } {
  const [paged] = choosePaged(w, root, preferSelf);
  w.noChangeNearOnset.add(root);
  return { paged, world: [quiet(w, kind, root, onset, ramp, { errorRatio: e }, { cause })] };
}

/**
 * Traffic that rises through the day: a slow, straight ramp across the whole window on every HTTP service, kept short
 * of saturating any of them.
 */
export function dailyRamp(w: Scene, services: string[], factor: () => number): WorldFault[] {
  return services.map((s) => {
    const cpu = w.baselines.get(s)?.cpu ?? 0.3;
    return quiet(w, 'traffic_surge', s, 0, N - 1, { factor: Math.min(factor(), 0.72 / cpu), downstreamShare: 0 });
  });
}

export const deep = (w: Scene) => {
  const names = http(w).filter((s) => (w.topo.depth.get(s) ?? 0) >= 1);
  return names.length ? names : http(w);
};

/** Turns a generated world's series into real-telemetry shape: per-pod CPU and memory, no error series, noisy latency. */
export function realTelemetry(s: Scenario, rng: Random, paged: string): Scenario {
  const metrics: Series[] = [];
  for (const x of s.metrics) {
    const name = x.metric.__name__;
    if (name === 'service:http_errors:ratio_rate5m' && x.metric.service !== paged) continue;
    if (
      name === 'service:upstream_errors:ratio_rate5m' ||
      name === 'probe_success' ||
      name === 'probe_ssl_earliest_cert_expiry'
    )
      continue;
    if (name === 'container_cpu_usage:ratio' || name === 'container_memory_working_set_bytes') {
      const pods = rng.int(2, 4);
      for (let p = 0; p < pods; p++) {
        const pod = `${x.metric.service}-${rng.hex(9)}-${rng.hex(5)}`;
        const jitter = name === 'container_cpu_usage:ratio' ? 0.06 : 0.01;
        const values = x.values.map(
          ([t, v]) =>
            [
              t,
              String(
                +Math.max(
                  0,
                  Math.min(
                    name === 'container_cpu_usage:ratio' ? 1 : Infinity,
                    Number(v) * (1 + jitter * rng.normal()),
                  ),
                ).toPrecision(4),
              ),
            ] as [number, string],
        );
        metrics.push({ metric: { ...x.metric, pod }, values });
      }
      continue;
    }
    if (name === 'service:http_latency_seconds:p99' || name === 'service:http_requests:rate5m') {
      metrics.push({
        ...x,
        values: x.values.map(
          ([t, v]) => [t, String(+(Number(v) * (1 + 0.08 * rng.normal())).toPrecision(4))] as [number, string],
        ),
      });
      continue;
    }
    metrics.push(x);
  }
  return { ...s, metrics, deploys: [] as Deploy[], changes: [] };
}
