// The generator's frozen window: a random topology's healthy signals as arrays of N one-minute points, background logs,
// and the helpers that bend them (the window a generated scenario shows, from start to `now`).
import { type GeneratedTopology, buildTopology } from '../../sandbox/world/random-topology.js';
import { Random } from '../../sandbox/world/random.js';
import type { Change, Deploy, LogLine, Series } from '../../src/investigation/evidence-model.js';

export const N = 181;

export const STEP = 60;

export type Arr = number[];

export interface ServiceMetrics {
  req?: Arr;
  err?: Arr;
  lat?: Arr;
  cpu: Arr;
  mem: Arr;
  restarts: Arr;
  disk: Arr;
  conns?: Arr;
  qlat?: Arr;
  depth?: Arr;
  processed?: Arr;
  cert?: number;
  probe?: Arr;
  edges: Map<string, Arr>;
}

export interface World {
  rng: Random;
  topo: GeneratedTopology;
  byName: Map<string, GeneratedTopology['services'][number]>;
  callers: Map<string, string[]>;
  nowSec: number;
  startSec: number;
  m: Map<string, ServiceMetrics>;
  logs: LogLine[];
  deploys: Deploy[];
  changes: Change[];
  /** Services whose own deploys or changes near the onset would make the truth ambiguous. */
  noChangeNearOnset: Set<string>;
  t0: number;
  /** Harmless signal distractions, recorded so that a live world (world-window.ts) can show them too. */
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

export const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

export function noisy(
  rng: Random,
  base: number,
  rel: number,
  opts: { drift?: number; min?: number; max?: number } = {},
): Arr {
  const phase = rng.float(0, Math.PI * 2);
  const drift = opts.drift ?? rng.float(0, 0.08);
  const out: Arr = [];
  for (let i = 0; i < N; i++) {
    const v = base * (1 + drift * Math.sin(phase + (i / N) * Math.PI * rng.float(0.9, 1.1))) * (1 + rel * rng.normal());
    out.push(clamp(v, opts.min ?? 0, opts.max ?? Infinity));
  }
  return out;
}

/** 0 before the onset, rising to 1 over `ramp` points. */
export function shape(onset: number, ramp: number): (i: number) => number {
  return (i) => (i < onset ? 0 : Math.min(1, (i - onset + 1) / Math.max(1, ramp)));
}

/** Moves a series toward `target` by the shape, keeping some of its own noise. */
export function towards(rng: Random, a: Arr, target: number, sh: (i: number) => number, jitter = 0.06, max = Infinity) {
  for (let i = 0; i < N; i++) {
    const s = sh(i);
    if (s > 0) a[i] = clamp(a[i]! + (target * (1 + jitter * rng.normal()) - a[i]!) * s, 0, max);
  }
}

export function scale(rng: Random, a: Arr, factor: number, sh: (i: number) => number, jitter = 0.05) {
  for (let i = 0; i < N; i++) {
    const s = sh(i);
    if (s > 0) a[i] = a[i]! * (1 + (factor * (1 + jitter * rng.normal()) - 1) * s);
  }
}

export function addLogs(
  w: World,
  service: string,
  level: LogLine['level'],
  lines: () => string,
  fromIdx: number,
  toIdx: number,
  count: number,
) {
  for (let k = 0; k < count; k++) {
    const idx = w.rng.float(fromIdx, toIdx);
    w.logs.push({ ts: iso(w.startSec + idx * STEP + w.rng.float(0, 59)), service, level, line: lines() });
  }
}

export function buildBaselines(w: World) {
  const { rng } = w;
  const probed = new Set(w.topo.services.filter((s) => w.topo.depth.get(s.name) === 0).map((s) => s.name));
  for (const s of w.topo.services) if (s.kind === 'service' && rng.chance(0.15)) probed.add(s.name);
  for (const s of w.topo.services) {
    if (s.kind === 'external') continue;
    const m: ServiceMetrics = {
      cpu: noisy(rng, rng.float(0.12, 0.55), rng.float(0.01, 0.06), { max: 1 }),
      mem: noisy(rng, rng.logFloat(1.5e8, 3e9), rng.float(0.002, 0.02)),
      restarts: new Array<number>(N).fill(rng.int(0, 12)),
      disk: noisy(rng, rng.float(0.3, 0.92), rng.float(0, 0.004), { drift: rng.float(0, 0.03), max: 1 }),
      edges: new Map(),
    };
    if (s.kind === 'service') {
      m.req = noisy(rng, rng.logFloat(15, 4000), rng.float(0.02, 0.08), { drift: rng.float(0, 0.15) });
      m.err = noisy(rng, rng.logFloat(0.0004, 0.006), rng.float(0.2, 0.8), { max: 1 });
      m.lat = noisy(rng, rng.logFloat(0.05, 0.8), rng.float(0.02, 0.12));
      // Some services are spiky: isolated bad minutes all through the window.
      if (rng.chance(0.3)) {
        for (let i = rng.int(0, 15); i < N - 3; i += rng.int(8, 30)) {
          m.err[i] = Math.min(1, m.err[i]! * rng.float(3, 12) + 0.005);
          m.lat[i] = m.lat[i]! * rng.float(1.5, 4);
        }
      }
    }
    if (s.kind === 'database') {
      // Connection use wanders slowly, as pools grow and shrink through the day.
      let c = rng.float(0.1, 0.55);
      const walk = rng.float(0.002, 0.008);
      m.conns = [];
      for (let i = 0; i < N; i++) {
        c = clamp(c + walk * rng.normal(), 0.05, 0.7);
        m.conns.push(c);
      }
      m.qlat = noisy(rng, rng.logFloat(0.002, 0.06), rng.float(0.03, 0.1));
    }
    if (s.kind === 'worker') {
      const rate = rng.logFloat(3, 120);
      m.processed = noisy(rng, rate, rng.float(0.03, 0.1));
      m.depth = noisy(rng, rng.logFloat(5, 300), rng.float(0.15, 0.4));
    }
    if (probed.has(s.name)) {
      m.cert = w.nowSec + rng.float(2, 300) * 86400;
      m.probe = new Array<number>(N).fill(1);
    }
    w.m.set(s.name, m);
  }
  const pEdge = rng.float(0.2, 0.95);
  for (const s of w.topo.services) {
    const m = w.m.get(s.name);
    if (!m) continue;
    for (const d of s.dependsOn) {
      const vendor = w.byName.get(d)?.kind === 'external';
      if (rng.chance(vendor ? Math.min(1, pEdge + 0.2) : pEdge))
        m.edges.set(d, noisy(rng, rng.logFloat(0.0003, 0.004), rng.float(0.2, 0.5), { max: 1 }));
    }
  }
}

const BACKGROUND: Array<(w: World, s: string) => [LogLine['level'], string]> = [
  (w) => [
    'info',
    `GET /api/v1/${w.rng.pick(['items', 'users', 'orders', 'search', 'feed', 'status'])} 200 in ${w.rng.int(3, 180)}ms`,
  ],
  () => ['info', 'health check ok'],
  (w) => ['debug', `refreshed config snapshot ${w.rng.hex(7)}`],
  (w) => ['warn', `cache miss ratio above 0.${w.rng.int(2, 6)} for key prefix sess:`],
  (w) => ['warn', `slow request: ${w.rng.int(600, 2400)}ms exceeds 500ms budget`],
  (w, s) => {
    const deps = w.byName.get(s)?.dependsOn ?? [];
    return deps.length
      ? ['warn', `retrying request to ${w.rng.pick(deps)} (attempt 2/3)`]
      : ['info', 'connection pool resized'];
  },
  (w) => ['info', `gc pause ${w.rng.int(2, 40)}ms`],
];

export function backgroundLogs(w: World) {
  for (const s of w.topo.services) {
    if (s.kind === 'external') continue;
    const n = w.rng.int(8, 22);
    for (let k = 0; k < n; k++) {
      const [level, line] = w.rng.pick(BACKGROUND)(w, s.name);
      w.logs.push({ ts: iso(w.startSec + w.rng.float(0, N - 1) * STEP), service: s.name, level, line });
    }
  }
}

export const idxSec = (w: World, idx: number) => w.startSec + idx * STEP;

function fmtValue(x: number): string {
  if (x === 0) return '0';
  return String(+x.toPrecision(4));
}

export function toSeries(w: World): Series[] {
  const out: Series[] = [];
  const times = Array.from({ length: N }, (_, i) => w.startSec + i * STEP);
  const push = (name: string, labels: Record<string, string>, a: Arr | undefined, integer = false) => {
    if (!a) return;
    // Scrapes go missing now and then; Prometheus simply leaves those steps out of the matrix.
    const gaps = w.rng.chance(0.1) ? w.rng.float(0.01, 0.05) : 0;
    const values = a
      .map((v, i) => [times[i]!, integer ? String(Math.round(v)) : fmtValue(v)] as [number, string])
      .filter((_, i) => i === N - 1 || !w.rng.chance(gaps));
    out.push({ metric: { __name__: name, ...labels }, values });
  };
  const order = [
    'service:http_requests:rate5m',
    'service:http_errors:ratio_rate5m',
    'service:http_latency_seconds:p99',
  ];
  for (const s of w.topo.services) {
    const m = w.m.get(s.name);
    if (!m) continue;
    push(order[0]!, { service: s.name }, m.req);
    push(order[1]!, { service: s.name }, m.err);
    push(order[2]!, { service: s.name }, m.lat);
    for (const [dep, a] of m.edges) push('service:upstream_errors:ratio_rate5m', { service: s.name, upstream: dep }, a);
  }
  for (const s of w.topo.services) {
    const m = w.m.get(s.name);
    if (!m) continue;
    push('container_cpu_usage:ratio', { service: s.name }, m.cpu);
    push('container_memory_working_set_bytes', { service: s.name }, m.mem, true);
    push('kube_pod_container_status_restarts_total', { service: s.name }, m.restarts, true);
    push('node_filesystem_avail:ratio', { service: s.name }, m.disk);
    if (m.cert !== undefined)
      push('probe_ssl_earliest_cert_expiry', { service: s.name }, new Array<number>(N).fill(m.cert), true);
    push('probe_success', { service: s.name }, m.probe, true);
    const queue = w.topo.queues.get(s.name);
    if (queue) {
      push('queue_depth', { service: s.name, queue }, m.depth, true);
      push('queue_processed:rate5m', { service: s.name, queue }, m.processed);
    }
    push('pg_connections:ratio', { service: s.name }, m.conns);
    push('pg_query_latency_seconds:p99', { service: s.name }, m.qlat);
  }
  return out;
}

/** A fresh world: a topology that can host `need`, healthy baselines and background logs. */
export function newWorld(rng: Random, need: (t: GeneratedTopology) => boolean = () => true): World {
  const size = rng.int(5, 25);
  let topo = buildTopology(rng, size);
  for (let k = 0; !need(topo) && k < 20; k++) topo = buildTopology(rng, Math.max(8, size));
  const nowSec = Math.floor(Date.UTC(2026, rng.int(0, 11), rng.int(1, 28), rng.int(0, 23), rng.int(0, 3) * 15) / 1000);
  const w: World = {
    rng,
    topo,
    byName: new Map(topo.services.map((s) => [s.name, s])),
    callers: new Map(),
    nowSec,
    startSec: nowSec - (N - 1) * STEP,
    m: new Map(),
    logs: [],
    deploys: [],
    changes: [],
    noChangeNearOnset: new Set(),
    t0: 0,
    lookalikes: [],
  };
  for (const s of topo.services) for (const d of s.dependsOn) w.callers.set(d, [...(w.callers.get(d) ?? []), s.name]);
  buildBaselines(w);
  backgroundLogs(w);
  return w;
}
