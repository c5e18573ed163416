// Generator B's world: per-service baselines, the effects a fault puts on its own service, their propagation up the call
// graph (a caller's errors and latency follow its dependencies'), and the rendering of per-minute series with noise.
import type { Change, Deploy, LogLine, Series } from '../../src/investigation/evidence-model.js';
import { N, Rng, ones, zeros, type Node } from './model.js';

export interface Effects {
  err: number[];
  latMul: number[];
  cpu: number[];
  rateMul: number[];
  /** Failures of calls to one dependency only (an auth setting rejecting this caller, a rate limit). */
  edge: Map<string, number[]>;
  /** Per-minute memory growth (bytes per minute) per pod from a minute on; OOM-killed at the limit. */
  leak?: { from: number; perMin: number };
  diskFree?: number[];
  conns?: number[];
  queueStall?: number[];
  certExpiredAt?: number;
}

export interface Base {
  rps: number;
  err: number;
  lat: number;
  cpu: number;
  mem: number;
  limit: number;
  pods: string[];
  disk: number;
  conns: number;
}

export interface World {
  rng: Rng;
  nodes: Node[];
  by: Map<string, Node>;
  startSec: number;
  /** Traffic shape of the day over the window, 1 = the window's start. */
  diurnal: number[];
  base: Map<string, Base>;
  own: Map<string, Effects>;
  logs: LogLine[];
  deploys: Deploy[];
  changes: Change[];
  /** Series dropped: `service` (all its series) or `service|role`. */
  drop: Set<string>;
}

export function effects(w: World, s: string): Effects {
  let e = w.own.get(s);
  if (!e) {
    e = { err: zeros(), latMul: ones(), cpu: zeros(), rateMul: ones(), edge: new Map() };
    w.own.set(s, e);
  }
  return e;
}

const DAY = 86400;

export function newWorld(rng: Rng, nodes: Node[], opts: { hour?: number } = {}): World {
  const hour = opts.hour ?? rng.float(0, 24);
  const day = Date.UTC(2026, rng.int(0, 10), rng.int(1, 28)) / 1000;
  const startSec = Math.round(day + hour * 3600) - (Math.round(day + hour * 3600) % 60);
  // Daily traffic: lowest around 04:00, highest around 16:00 (in the window's own time zone).
  const shape = (sec: number) => {
    const h = ((((sec - day) % DAY) + DAY) % DAY) / 3600;
    return 0.3 + 0.7 * (0.5 - 0.5 * Math.cos((2 * Math.PI * (h - 4)) / 24));
  };
  const s0 = shape(startSec);
  const diurnal = Array.from({ length: N }, (_, i) => shape(startSec + i * 60) / s0);
  const base = new Map<string, Base>();
  for (const n of nodes) {
    const pods = Array.from(
      { length: n.kind === 'database' ? 1 : rng.int(2, 5) },
      () => `${n.name}-${rng.hex(5)}-${rng.hex(5)}`,
    );
    base.set(n.name, {
      rps: rng.logFloat(8, 900) * (n.depth === 0 ? 3 : 1),
      err: rng.logFloat(0.0003, 0.006),
      lat: rng.logFloat(0.04, 0.9),
      cpu: rng.float(0.12, 0.55),
      mem: rng.logFloat(1.5e8, 2.5e9),
      limit: 0,
      pods,
      disk: rng.float(0.35, 0.85),
      conns: rng.float(0.15, 0.5),
    });
    const b = base.get(n.name)!;
    b.limit = b.mem * rng.float(1.6, 2.6);
  }
  return {
    rng,
    nodes,
    by: new Map(nodes.map((n) => [n.name, n])),
    startSec,
    diurnal,
    base,
    own: new Map(),
    logs: [],
    deploys: [],
    changes: [],
    drop: new Set(),
  };
}

export const iso = (sec: number) => new Date(Math.round(sec) * 1000).toISOString().replace('.000Z', 'Z');
export const secOf = (w: World, i: number) => w.startSec + i * 60;

export function log(
  w: World,
  service: string,
  level: LogLine['level'],
  line: (i: number) => string,
  from: number,
  to: number,
  count: number,
): void {
  for (let k = 0; k < count; k++) {
    const i = Math.min(N - 1, Math.max(0, Math.round(w.rng.float(from, to))));
    w.logs.push({ ts: iso(secOf(w, i) + w.rng.float(0, 59)), service, level, line: line(i) });
  }
}

interface Totals {
  rate: number[];
  err: number[];
  lat: number[];
  cpu: number[];
  edges: Map<string, number[]>;
}

/** Each service's totals: its own effects plus what it inherits from its dependencies (memoized, deps first). */
export function totals(w: World): Map<string, Totals> {
  const out = new Map<string, Totals>();
  const callers = new Map<string, string[]>();
  for (const n of w.nodes) for (const d of n.dependsOn) callers.set(d, [...(callers.get(d) ?? []), n.name]);
  const rateMul = new Map<string, number[]>();
  const mulOf = (s: string, seen = new Set<string>()): number[] => {
    const got = rateMul.get(s);
    if (got) return got;
    const own = w.own.get(s)?.rateMul ?? ones();
    const cs = (callers.get(s) ?? []).filter((c) => !seen.has(c));
    const up = cs.map((c) => mulOf(c, new Set([...seen, s])));
    const m = own.map((x, i) => x * (up.length ? up.reduce((a, u) => a + u[i]!, 0) / up.length : 1));
    rateMul.set(s, m);
    return m;
  };
  const go = (s: string): Totals => {
    const got = out.get(s);
    if (got) return got;
    const n = w.by.get(s)!;
    const b = w.base.get(s)!;
    const e = w.own.get(s);
    const mul = mulOf(s);
    const rate = w.diurnal.map((d, i) => b.rps * d * mul[i]!);
    const cpu = mul.map((m, i) => Math.min(1, b.cpu * Math.pow(m * w.diurnal[i]!, 0.85) + (e?.cpu[i] ?? 0)));
    // A vendor's capacity is not ours to saturate: its failures are its own effects.
    if (n.kind === 'external') cpu.fill(0);
    const sat = cpu.map((c) => (c > 0.85 ? 1 + (c - 0.85) * 30 : 1));
    const edges = new Map<string, number[]>();
    const err = zeros().map((_, i) => b.err + (e?.err[i] ?? 0) + (sat[i]! > 3 ? 0.01 * (sat[i]! - 3) : 0));
    const lat = zeros().map((_, i) => b.lat * (e?.latMul[i] ?? 1) * sat[i]!);
    for (const d of n.dependsOn) {
      const dt = go(d);
      const dn = w.by.get(d)!;
      const weight = 0.3 + (0.6 * ((s.length * 7 + d.length * 13) % 10)) / 10;
      const extra = e?.edge.get(d) ?? zeros();
      const db = w.base.get(d)!;
      const edge = dt.err.map((x, i) =>
        Math.min(1, Math.max(0, x - (dn.kind === 'external' ? 0 : db.err * 0.7)) + extra[i]!),
      );
      edges.set(d, edge);
      for (let i = 0; i < N; i++) {
        err[i]! += edge[i]! * weight;
        lat[i]! += b.lat * Math.max(0, dt.lat[i]! / db.lat - 1) * weight * 0.8;
      }
    }
    const t = { rate, err: err.map((x) => Math.min(1, x)), lat, cpu, edges };
    out.set(s, t);
    return t;
  };
  for (const n of w.nodes) go(n.name);
  return out;
}

const num = (x: number) => (Math.abs(x) >= 1000 ? x.toFixed(0) : x.toPrecision(5));

/** Renders the window's series with noise, per-pod resources, sawtooth memory, scrape gaps and dropped series. */
export function render(w: World): Series[] {
  const { rng } = w;
  const tot = totals(w);
  const out: Series[] = [];
  const emit = (name: string, labels: Record<string, string>, values: number[], role: string) => {
    if (w.drop.has(labels.service!) || w.drop.has(`${labels.service}|${role}`)) return;
    const keep = values.map(() => true);
    if (rng.chance(0.3))
      for (let g = rng.int(1, 3); g > 0; g--) {
        const at = rng.int(5, N - 12);
        for (let k = at; k < at + rng.int(2, 7); k++) keep[k] = false;
      }
    out.push({
      metric: { __name__: name, ...labels },
      values: values.flatMap((v, i): Array<[number, string]> => (keep[i] ? [[w.startSec + i * 60, num(v)]] : [])),
    });
  };
  for (const n of w.nodes) {
    if (n.kind === 'external') continue;
    const b = w.base.get(n.name)!;
    const t = tot.get(n.name)!;
    const e = w.own.get(n.name);
    const svc = { service: n.name };
    const noisy = (xs: number[], sd: number) => xs.map((x) => x * Math.exp(sd * rng.normal()));
    if (n.kind !== 'database') {
      emit('service:http_requests:rate5m', svc, noisy(t.rate, 0.04), 'request_rate');
      emit(
        'service:http_errors:ratio_rate5m',
        svc,
        t.err.map((x) =>
          Math.min(1, x * Math.exp(0.35 * rng.normal()) + (rng.chance(0.01) ? rng.float(0.003, 0.015) : 0)),
        ),
        'error_ratio',
      );
      emit(
        'service:http_latency_seconds:p99',
        svc,
        t.lat.map((x) => x * Math.exp(0.1 * rng.normal()) * (rng.chance(0.03) ? Math.min(4, rng.pareto(2.5)) : 1)),
        'latency_p99',
      );
      for (const [d, edge] of t.edges)
        emit(
          'service:upstream_errors:ratio_rate5m',
          { service: n.name, upstream: d },
          edge.map((x) => Math.min(1, x * Math.exp(0.3 * rng.normal()) + rng.float(0, 0.0008))),
          'upstream_error_ratio',
        );
    } else {
      const conns = e?.conns ?? t.rate.map((r) => Math.min(0.95, b.conns * (r / (b.rps * w.diurnal[0]!)) ** 0.5));
      emit(
        'pg_connections:ratio',
        svc,
        conns.map((x) => Math.min(1, Math.max(0, x + 0.02 * rng.normal()))),
        'db_connections',
      );
      emit(
        'pg_query_latency_seconds:p99',
        svc,
        t.lat.map((x) => x * 0.3 * Math.exp(0.12 * rng.normal())),
        'db_query_latency_p99',
      );
    }
    // Per pod: CPU shares the service's load; memory is flat, sawtooth (GC / healthy restarts), or leaking.
    const saw = rng.chance(0.35) ? rng.int(25, 70) : 0;
    b.pods.forEach((pod, p) => {
      const labels = { service: n.name, pod };
      const skew = 1 + 0.08 * rng.normal();
      emit(
        'container_cpu_usage:ratio',
        labels,
        t.cpu.map((c) => Math.min(1, Math.max(0, c * skew + 0.03 * rng.normal()))),
        'cpu',
      );
      let restarts = rng.int(0, 3);
      const rs: number[] = [];
      let mem = b.mem * (1 + 0.1 * rng.normal());
      const phase = rng.int(0, 60);
      const mems = Array.from({ length: N }, (_, i) => {
        if (e?.leak && i >= e.leak.from) mem += e.leak.perMin * (1 + 0.3 * rng.normal()) * (1 + p * 0.15);
        if (saw && !e?.leak) mem = b.mem * (1 + 0.25 * (((i + phase) % saw) / saw));
        if (mem >= b.limit) {
          mem = b.mem * (1 + 0.05 * rng.normal());
          restarts++;
          w.logs.push({
            ts: iso(secOf(w, i) + 5),
            service: n.name,
            level: 'warn',
            line: `pod ${pod} container app terminated: OOMKilled (exit code 137)`,
          });
        }
        rs.push(restarts);
        return mem * (1 + 0.01 * rng.normal());
      });
      emit('container_memory_working_set_bytes', labels, mems, 'memory');
      emit('kube_pod_container_status_restarts_total', labels, rs, 'restarts');
    });
    {
      const disk = e?.diskFree ?? zeros().map(() => b.disk);
      emit(
        'node_filesystem_avail:ratio',
        svc,
        disk.map((x) => Math.max(0, x + 0.003 * rng.normal())),
        'disk_free',
      );
    }
    if (n.depth === 0) {
      const expiry = e?.certExpiredAt !== undefined ? secOf(w, e.certExpiredAt) : w.startSec + rng.float(20, 80) * DAY;
      emit(
        'probe_ssl_earliest_cert_expiry',
        svc,
        zeros().map(() => expiry),
        'cert_expiry',
      );
      emit(
        'probe_success',
        svc,
        zeros().map((_, i) => (e?.certExpiredAt !== undefined && i >= e.certExpiredAt ? 0 : t.err[i]! > 0.5 ? 0 : 1)),
        'probe_success',
      );
    }
    if (n.kind === 'worker') {
      const stall = e?.queueStall ?? zeros();
      const q = `${n.name.replace(/-worker$/, '')}-jobs`;
      let depth = rng.float(20, 400);
      const inflow = b.rps * 0.5;
      const processed = stall.map((s, i) => inflow * w.diurnal[i]! * (1 - s) * Math.exp(0.05 * rng.normal()));
      const depths = processed.map((pr, i) => {
        depth = Math.max(rng.float(5, 50), depth + (inflow * w.diurnal[i]! - pr) * 60 * 0.9 + rng.normal() * 10);
        return depth;
      });
      emit('queue_depth', { service: n.name, queue: q }, depths, 'queue_depth');
      emit('queue_processed:rate5m', { service: n.name, queue: q }, processed, 'queue_processed');
    }
  }
  return out;
}
