// Building blocks of the harder situations (situations.ts): stack traces, deploy warm-ups, a broken service with its
// page path, daily traffic, and the real-telemetry shape (per-pod series, no error ratios).
import { Random } from '../../sandbox/world/random.js';
import type { Category, Deploy, Series } from '../../src/investigation/evidence-model.js';
import type { Scenario } from '../scenario-format.js';
import { type Fault, choosePaged, otherCallersFeel, propagate } from './effects.js';
import { N, type World, addLogs, clamp, scale, shape, towards } from './window.js';

export type Situation = (w: World, onset: number, ramp: number) => Fault;

export const fileOf = (cls: string) => `src/${cls.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}.ts`;

export const http = (w: World) => w.topo.services.filter((s) => s.kind === 'service').map((s) => s.name);

export const fault = (
  category: Category,
  root: string | null,
  cause: string | null,
  paged: string,
  alertname = 'HighErrorRate',
): Fault => ({ category, root, cause, paged, alertname, affected: [] });

/** Stack traces naming the module the bad build changed. */
export function stackTraces(w: World, service: string, cls: string, from: number) {
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

/** A deploy's warm-up: errors and latency for a minute or three, then back to normal. */
export function warmup(w: World, service: string, idx: number) {
  const m = w.m.get(service);
  if (!m) return;
  for (let i = idx; i < Math.min(N - 8, idx + w.rng.int(1, 3)); i++) {
    if (m.err) m.err[i] = Math.min(1, m.err[i]! * w.rng.float(3, 10) + 0.01);
    if (m.lat) m.lat[i] = m.lat[i]! * w.rng.float(1.5, 3);
  }
}

/** A failing service somewhere below the entry, with the path the page takes up to it. */
export function breakService(w: World, root: string, onset: number, ramp: number, e: number, preferSelf = 0.2) {
  const m = w.m.get(root)!;
  towards(w.rng, m.err!, e, shape(onset, ramp), 0.1, 1);
  if (w.rng.chance(0.5)) scale(w.rng, m.lat!, w.rng.float(1.1, 2.5), shape(onset, ramp));
  const [paged, path] = choosePaged(w, root, preferSelf);
  propagate(w, path, e, 1, onset, ramp);
  otherCallersFeel(w, root, e, onset, ramp, path);
  w.noChangeNearOnset.add(root);
  return paged;
}

/** Traffic that rises through the day: a slow, straight ramp across the whole window. */
export function dailyRamp(w: World, service: string, factor: number) {
  const m = w.m.get(service);
  if (!m?.req) return;
  for (let i = 0; i < N; i++) m.req[i] = m.req[i]! * (1 + (factor - 1) * (i / (N - 1)));
  for (let i = 0; i < N; i++) m.cpu[i] = clamp(m.cpu[i]! * (1 + (factor - 1) * 0.5 * (i / (N - 1))), 0, 0.75);
}

export const deep = (w: World) => {
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
