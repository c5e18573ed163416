// The world's physics: every signal of every service at an instant, from healthy baselines, injected faults and actions.
import { gaussian } from './random.js';
import { fade, intensity, type Certificate, type Fault, type ScaleEvent } from './faults.js';
import type { Topology, WorldService } from './topology.js';

/** What one service exports at an instant (absent: the service does not export it). */
export interface ServiceSignals {
  rps?: number;
  errorRatio?: number;
  latencyP99?: number;
  /** Share of failed calls to each upstream. */
  upstream: Record<string, number>;
  cpu?: number;
  memoryBytes?: number;
  restarts?: number;
  diskFree?: number;
  dbConnections?: number;
  dbQueryLatency?: number;
  queue?: { name: string; depth: number; processed: number };
  /** Unix seconds at which the served certificate expires. */
  certExpiry?: number;
  probeSuccess?: number;
}

/** The part of the world's state the physics reads. */
export interface WorldState {
  topology: Topology;
  faults: readonly Fault[];
  scaleEvents: readonly ScaleEvent[];
  /** Certificates per probed service, oldest first; each is served from `from` until the next one. */
  certificates: ReadonlyMap<string, ReadonlyArray<Certificate & { from: number }>>;
}

const DAY_MS = 86_400_000;
/** Noise changes every 15 s, so two reads of the same instant agree. */
const NOISE_BUCKET_MS = 15_000;
/** Above this share of capacity, a service queues requests: latency and timeouts climb. */
const SATURATION = 0.9;
/** How much of an upstream's failures and extra latency a caller passes on. */
const ERROR_PASS_THROUGH = 0.5;
const LATENCY_PASS_THROUGH = 0.7;
/** A scale-out's new replicas take this long to take traffic (the world's pods start at once). */
const SCALE_RAMP_MS = 0;

const noise = (service: string, metric: string, t: number) =>
  gaussian(`${service}:${metric}:${Math.floor(t / NOISE_BUCKET_MS)}`);

/** Daily traffic shape: a peak in the evening (UTC), a trough before dawn. */
function diurnal(t: number): number {
  const phase = ((t % DAY_MS) / DAY_MS) * 2 * Math.PI;
  return 1 + 0.12 * Math.sin(phase - 1.9);
}

const activeFaults = (state: WorldState, kind: Fault['kind'], service?: string) =>
  state.faults.filter((f) => f.kind === kind && (service === undefined || f.service === service));

/** The services a zone partition cuts off (its `text.services`, comma-separated). */
export const zoneServices = (f: Pick<Fault, 'text'>): string[] => (f.text.services ?? '').split(',').filter(Boolean);

/** The calls, as `caller>callee`, whose name lookups a DNS failure breaks (its `text.edges`, comma-separated). */
export const dnsEdges = (f: Pick<Fault, 'text'>): string[] => (f.text.edges ?? '').split(',').filter(Boolean);

/** Extra CPU share a service spends from harmless causes: a blip of load, retries of failing calls. */
function harmlessCpu(state: WorldState, name: string, t: number): number {
  let extra = 0;
  for (const kind of ['blip', 'retry_cpu'] as const)
    for (const f of activeFaults(state, kind, name))
      extra += (f.params.cpu ?? 0) * intensity(f, t, f.params.rampMs ?? 0);
  return extra;
}

/** Traffic multiplier of a service from surges at it or at a caller (the strongest applies, not the product). */
function surgeFactor(state: WorldState, s: WorldService, t: number): number {
  let factor = 1;
  for (const f of activeFaults(state, 'traffic_surge')) {
    const i = intensity(f, t);
    if (i === 0) continue;
    const extra = (f.params.factor ?? 3) - 1;
    const target = state.topology.services.find((x) => x.name === f.service);
    let share = 0;
    if (f.service === s.name) share = 1;
    else if (target?.dependsOn.includes(s.name)) share = f.params.downstreamShare ?? 0.15;
    else if (
      target?.dependsOn.some((d) => state.topology.services.find((x) => x.name === d)?.dependsOn.includes(s.name))
    )
      share = (f.params.downstreamShare ?? 0.15) / 5;
    factor = Math.max(factor, 1 + extra * share * i);
  }
  return factor;
}

/** Capacity multiplier from scale events (replicas or consumers) at or before t. */
export function capacityAt(state: WorldState, service: string, what: ScaleEvent['what'], t: number): number {
  let c = 1;
  for (const e of state.scaleEvents) {
    if (e.service !== service || e.what !== what || e.at > t) continue;
    c *= 1 + (e.factor - 1) * (SCALE_RAMP_MS <= 0 ? 1 : Math.min(1, (t - e.at) / SCALE_RAMP_MS));
  }
  return c;
}

interface LeakState {
  memoryShare: number;
  ooms: number;
  error: number;
}

/**
 * A memory leak: from the leaking deploy (or the last restart) memory climbs to the limit over `oomAfterMs`; then
 * pods are OOM-killed one after another every `cascadeMs` (a restarted pod refills its cache within minutes), serving
 * errors, until a rolling restart starts every pod afresh or a rollback removes the leak.
 */
function leakAt(f: Fault, t: number): LeakState {
  const oomAfter = f.params.oomAfterMs ?? 150 * 60_000;
  const cascade = f.params.cascadeMs ?? 9 * 60_000;
  const peakError = f.params.errorRatio ?? 0.08;
  const end = f.clearedAt ?? Infinity;
  if (t < f.startAt) return { memoryShare: 0, ooms: 0, error: 0 };
  const resets = [f.startAt, ...f.restarts.filter((r) => r > f.startAt && r < end).sort((a, b) => a - b)];
  const oomsIn = (len: number) => (len < oomAfter ? 0 : 1 + Math.floor((len - oomAfter) / cascade));
  let ooms = 0;
  for (let k = 0; k < resets.length; k++) {
    const segStart = resets[k]!;
    if (segStart > t) break;
    const segEnd = Math.min(resets[k + 1] ?? Infinity, end, t);
    ooms += oomsIn(segEnd - segStart);
  }
  const last = resets.filter((r) => r <= t).pop()!;
  if (t >= end) {
    // Rolled back: the leaking code is gone. Errors fade like any fixed fault.
    const lenAtEnd = end - last;
    const wasCascading = lenAtEnd >= oomAfter;
    return { memoryShare: 0, ooms, error: wasCascading ? peakError * fade(t - end) : 0 };
  }
  const el = t - last;
  if (el < oomAfter) {
    // A restart ended a cascade: its errors fade.
    const previous = resets[resets.indexOf(last) - 1];
    const fromCascade = previous !== undefined && last - previous >= oomAfter ? peakError * fade(el) : 0;
    const gcPressure = el > 0.93 * oomAfter ? 0.012 : 0;
    return { memoryShare: el / oomAfter, ooms, error: Math.max(fromCascade, gcPressure) };
  }
  const phase = ((el - oomAfter) % cascade) / cascade;
  return { memoryShare: 0.15 + 0.85 * phase, ooms, error: peakError };
}

interface QueueState {
  depth: number;
  processed: number;
  crashes: number;
}

/**
 * A queue backlog: from startAt a burst arrives and the overwhelmed consumers fail their liveness probes and restart,
 * so processing collapses; once consumers are scaled (the fault cleared) they drain at `drainFactor`× the usual rate.
 */
function backlogAt(f: Fault, base: { depth: number; rate: number }, t: number): QueueState {
  if (t < f.startAt) return { depth: base.depth, processed: base.rate, crashes: 0 };
  const burst = f.params.burst ?? 1.3;
  const burstEnd = f.startAt + (f.params.burstMs ?? 60 * 60_000);
  const collapsed = base.rate * (f.params.processedShare ?? 0.02);
  const drain = base.rate * (f.params.drainFactor ?? 4);
  const fixedAt = f.clearedAt ?? Infinity;
  const crashEvery = f.params.crashEveryMs ?? 150_000;
  const crashes = Math.floor((Math.min(t, fixedAt) - f.startAt) / crashEvery) + 1;
  const cuts = [f.startAt, burstEnd, fixedAt, t].filter((x) => x >= f.startAt && x <= t).sort((a, b) => a - b);
  let depth = base.depth;
  let processed = collapsed;
  for (let k = 0; k + 1 < cuts.length; k++) {
    const a = cuts[k]!;
    const b = cuts[k + 1]!;
    if (b <= a) continue;
    const incoming = a < burstEnd ? base.rate * burst : base.rate;
    const secs = (b - a) / 1000;
    if (a < fixedAt) {
      processed = collapsed;
      depth += (incoming - collapsed) * secs;
    } else {
      const net = drain - incoming;
      const drained = Math.min(depth - base.depth, net * secs);
      depth -= Math.max(0, drained);
      processed = depth > base.depth + 1 ? drain : incoming;
    }
  }
  return { depth, processed, crashes };
}

function diskAt(state: WorldState, s: WorldService, t: number): { free: number; fullFor: number } {
  const base = s.baseline.diskFree ?? 0.6;
  let free = base - 0.004 * Math.sin(t / 5_400_000 + s.name.length);
  let fullFor = 0;
  for (const f of activeFaults(state, 'disk_full', s.name)) {
    if (t < f.startAt) continue;
    const fillMs = f.params.fillMs ?? 60 * 60_000;
    const until = f.clearedAt !== null ? Math.min(t, f.clearedAt) : t;
    const filled = Math.min(1, (until - f.startAt) / fillMs);
    if (f.clearedAt !== null && t >= f.clearedAt) {
      free = Math.min(free, base * 0.97);
      continue;
    }
    free = Math.max(0, free * (1 - filled));
    const fullAt = f.startAt + fillMs;
    if (t >= fullAt) fullFor = t - fullAt;
  }
  return { free, fullFor };
}

function certificateAt(state: WorldState, service: string, t: number): (Certificate & { from: number }) | undefined {
  const certs = state.certificates.get(service);
  if (!certs) return undefined;
  let current = certs[0];
  for (const c of certs) if (c.from <= t) current = c;
  return current;
}

/** What a service passes to its callers: failures and latency beyond its healthy baseline (noise stays home). */
interface Effective {
  error: number;
  latencyExtra: number;
}

/** Every service's signals at world time t (unix ms). */
export function computeSignals(state: WorldState, t: number): Map<string, ServiceSignals> {
  const out = new Map<string, ServiceSignals>();
  const effective = new Map<string, Effective>();
  const byName = new Map(state.topology.services.map((s) => [s.name, s]));
  const day = diurnal(t);

  const partitionOf = (from: string, to: string) => {
    let fail = 0;
    let latency = 0;
    for (const f of activeFaults(state, 'network_partition', to)) {
      if (f.from !== from) continue;
      const i = intensity(f, t);
      fail += (f.params.failure ?? 0.3) * i;
      latency += (f.params.latency ?? 3) * i;
    }
    for (const f of activeFaults(state, 'dns_failure')) {
      if (!dnsEdges(f).includes(`${from}>${to}`)) continue;
      const i = intensity(f, t);
      fail += (f.params.failure ?? 0.3) * i;
      latency += (f.params.latency ?? 2) * i;
    }
    return { fail, latency };
  };

  const visit = (name: string, path: Set<string>): Effective => {
    const done = effective.get(name);
    if (done) return done;
    const s = byName.get(name);
    if (!s || path.has(name)) return { error: 0, latencyExtra: 0 };
    path.add(name);
    const b = s.baseline;
    const sig: ServiceSignals = { upstream: {} };
    let eff: Effective = { error: 0, latencyExtra: 0 };

    if (s.kind === 'external') {
      for (const f of activeFaults(state, 'third_party_outage', name)) {
        const i = intensity(f, t);
        eff.error += (f.params.failure ?? 0.45) * i;
        eff.latencyExtra += (f.params.timeoutLatency ?? 5) * i;
      }
      eff.error = Math.min(1, eff.error);
      effective.set(name, eff);
      path.delete(name);
      return eff;
    }

    // Load and capacity.
    const traffic = day * surgeFactor(state, s, t);
    let hot = 0;
    for (const f of activeFaults(state, 'cpu_saturation', name)) hot += (f.params.hotPath ?? 1) * intensity(f, t);
    hot += harmlessCpu(state, name, t);
    const capacity = capacityAt(state, name, 'replicas', t);
    const demand = ((b.cpu ?? 0.25) * traffic + hot) / capacity;
    const overload = Math.max(0, demand - SATURATION);
    sig.cpu = Math.min(1, Math.max(0.01, demand + 0.012 * noise(name, 'cpu', t)));

    // Memory and restarts.
    let memoryShare = 0;
    let restarts = b.restarts ?? 0;
    let leakError = 0;
    for (const f of activeFaults(state, 'memory_leak', name)) {
      const leak = leakAt(f, t);
      memoryShare = Math.max(memoryShare, leak.memoryShare);
      restarts += leak.ooms;
      leakError = Math.max(leakError, leak.error);
    }
    // Pods restarting now and then (a flaky liveness probe), with no memory growth behind it.
    for (const f of activeFaults(state, 'crash_restarts', name))
      if (t >= f.startAt) restarts += 1 + Math.floor((t - f.startAt) / (f.params.everyMs ?? 40 * 60_000));
    const baseMem = (b.memoryBytes ?? 400 * 1024 * 1024) * (1 + 0.01 * noise(name, 'mem', t));
    const limit = (b.memoryBytes ?? 400 * 1024 * 1024) * 4.2;
    sig.memoryBytes = Math.round(baseMem + (limit - baseMem) * memoryShare);

    const disk = diskAt(state, s, t);
    sig.diskFree = disk.free;

    if (s.kind === 'database') {
      let conns = (b.dbConnections ?? 0.3) * (1 + 0.05 * noise(name, 'conn', t)) * (0.9 + 0.1 * day);
      let qlat = (b.dbQueryLatency ?? 0.006) * (1 + 0.08 * noise(name, 'qlat', t));
      for (const f of activeFaults(state, 'busy_database', name))
        conns += ((f.params.connections ?? 0.7) - conns) * intensity(f, t, f.params.rampMs ?? 0);
      for (const f of activeFaults(state, 'db_saturation', name)) {
        const i = intensity(f, t);
        conns += ((f.params.connections ?? 0.995) - conns) * i;
        qlat += (f.params.queryLatency ?? 5.7) * i;
        eff.error += (f.params.callFailure ?? 0.16) * i;
      }
      // A database out of disk fails the writes it is sent.
      if (disk.fullFor > 0)
        eff.error +=
          (activeFaults(state, 'disk_full', name)[0]?.params.errorRatio ?? 0.17) * Math.min(1, disk.fullFor / 60_000);
      sig.dbConnections = Math.min(1, conns);
      sig.dbQueryLatency = qlat;
      sig.restarts = restarts;
      eff = { error: Math.min(1, eff.error), latencyExtra: Math.min(5, (qlat - (b.dbQueryLatency ?? 0.006)) * 0.9) };
      out.set(name, sig);
      effective.set(name, eff);
      path.delete(name);
      return eff;
    }

    // Calls to upstreams.
    let passedError = 0;
    let passedLatency = 0;
    for (const dep of s.dependsOn) {
      const up = visit(dep, path);
      const part = partitionOf(name, dep);
      const fail = Math.min(1, up.error + part.fail);
      // The healthy share of failed calls is part of each service's own baseline; only what is beyond it passes on.
      sig.upstream[dep] = Math.min(1, Math.max(0, 0.0011 * (1 + 0.3 * noise(`${name}>${dep}`, 'up', t)) + fail));
      passedError += ERROR_PASS_THROUGH * fail;
      passedLatency += LATENCY_PASS_THROUGH * up.latencyExtra + part.latency;
    }

    if (s.kind === 'worker' && b.queue) {
      let q: QueueState = { depth: b.queue.depth, processed: b.queue.rate * day, crashes: 0 };
      for (const f of activeFaults(state, 'queue_backlog', name)) {
        const r = backlogAt(f, b.queue, t);
        if (r.depth > q.depth || r.crashes > 0) q = r;
      }
      const jitter = 1 + 0.03 * noise(name, 'qrate', t);
      sig.queue = {
        name: b.queue.name,
        depth: Math.max(0, Math.round(q.depth * (q.depth <= b.queue.depth ? jitter : 1))),
        processed: Math.max(0, q.processed * jitter),
      };
      sig.restarts = restarts + q.crashes;
      out.set(name, sig);
      effective.set(name, eff);
      path.delete(name);
      return eff;
    }

    // HTTP services.
    sig.restarts = restarts;
    sig.rps = (b.rps ?? 100) * traffic * (1 + 0.03 * noise(name, 'rps', t));
    const healthyError = Math.max(0, (b.errorRatio ?? 0.002) * (1 + 0.45 * noise(name, 'err', t)));
    let faultError = 0;
    let latencyFactor = 1 + overload * 40;
    for (const f of [...activeFaults(state, 'bad_deploy', name), ...activeFaults(state, 'config_change', name)]) {
      const i = intensity(f, t);
      faultError += (f.params.errorRatio ?? 0.14) * i;
      latencyFactor += 0.15 * i;
    }
    faultError += overload * 0.17 + leakError;
    // A skewed clock rejects tokens as issued in the future; a blip fails some calls for a minute or few.
    for (const f of activeFaults(state, 'clock_skew', name))
      faultError += (f.params.errorRatio ?? 0.1) * intensity(f, t);
    for (const f of activeFaults(state, 'blip', name)) {
      const i = intensity(f, t, 0);
      faultError += (f.params.errorRatio ?? 0) * i;
      latencyFactor += (f.params.latencyFactor ?? 0) * i;
    }
    // A zone cut off: the service's pods there fail their calls and answer slowly.
    let zoneCut = false;
    for (const f of activeFaults(state, 'zone_partition')) {
      if (!zoneServices(f).includes(name)) continue;
      const i = intensity(f, t);
      zoneCut ||= i > 0.5;
      faultError += (f.params[`errorRatio:${name}`] ?? 0.05) * i;
      latencyFactor += (f.params[`latency:${name}`] ?? 0) * i;
    }
    if (disk.fullFor > 0)
      faultError +=
        (activeFaults(state, 'disk_full', name)[0]?.params.errorRatio ?? 0.17) * Math.min(1, disk.fullFor / 60_000);
    for (const f of activeFaults(state, 'certificate_expiry', name))
      faultError += (f.params.errorRatio ?? 0.8) * intensity(f, t, 60_000);
    const excessError = Math.min(1, faultError + passedError);
    const error = Math.min(1, healthyError + excessError);
    const baseLatency = b.latencyP99 ?? 0.3;
    const latencyExtra = baseLatency * (latencyFactor - 1) + passedLatency;
    const latency = baseLatency * (1 + 0.06 * noise(name, 'lat', t)) + latencyExtra;
    sig.errorRatio = error;
    sig.latencyP99 = latency;
    if (b.probed) {
      const cert = certificateAt(state, name, t);
      sig.certExpiry = cert ? Math.floor(cert.notAfter / 1000) : undefined;
      const expired = activeFaults(state, 'certificate_expiry', name).some((f) => intensity(f, t, 60_000) > 0.5);
      // The probe lands in the cut-off zone about half the time.
      const probeCut = zoneCut && noise(name, 'zone-probe', t) > 0;
      sig.probeSuccess = expired || probeCut || error > 0.5 ? 0 : 1;
    }
    eff = { error: excessError, latencyExtra };
    out.set(name, sig);
    effective.set(name, eff);
    path.delete(name);
    return eff;
  };

  for (const s of state.topology.services) visit(s.name, new Set());
  return out;
}
