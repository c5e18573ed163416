// Generator B's resource and load situations: leaks, surges, ramps, CPU in real-telemetry shape, certificates, disks,
// queues and databases.
import { N } from './model.js';
import {
  breakService,
  deepServices,
  entry,
  hotCpu,
  pagedFor,
  services,
  unrelatedTo,
  type Situation,
} from './faults.js';
import { deploy, moduleName, warmup } from './noise.js';
import { effects, log } from './world.js';
/** A leak that began hours ago at one deploy and grows through later harmless deploys; replicas OOM-killed in turn. */
export const slowLeak: Situation = (w, onset) => {
  const { rng } = w;
  const root = rng.pick(services(w).filter((s) => s.depth > 0)).name;
  const from = rng.int(3, 50);
  const mod = moduleName(w);
  const bad = deploy(w, root, from - rng.int(0, 2), mod);
  const b = w.base.get(root)!;
  effects(w, root).leak = { from, perMin: (b.limit - b.mem) / rng.float(35, 80) };
  for (let k = rng.int(1, 3); k > 0; k--) {
    const at = rng.int(from + 20, N - 5);
    deploy(w, root, at);
    warmup(w, root, at);
  }
  const e = effects(w, root);
  for (let i = onset; i < N; i++) {
    e.latMul[i]! *= rng.float(1.8, 3);
    e.err[i]! += rng.float(0.01, 0.06);
  }
  return { category: 'memory_leak', service: root, cause: bad.id, paged: pagedFor(w, root, 0.4) };
};

/** Traffic steps up within minutes (maybe on top of the daily ramp). */
export const realSurge: Situation = (w, onset) => {
  const { rng } = w;
  const target = rng.chance(0.7) ? entry(w) : rng.pick(services(w).filter((s) => s.depth === 1)).name;
  const factor = rng.float(2.2, 4.5);
  const ramp = rng.int(1, 4);
  const e = effects(w, target);
  for (let i = onset; i < N; i++) e.rateMul[i]! *= 1 + (factor - 1) * Math.min(1, (i - onset + 1) / ramp);
  const b = w.base.get(target)!;
  b.cpu = Math.max(b.cpu, 0.35);
  return {
    category: 'traffic_surge',
    service: target,
    cause: null,
    paged: target === entry(w) ? target : pagedFor(w, target, 0.5),
    alert: 'HighLatencyP99',
    quiet: [target],
  };
};

/** Morning ramp (not a surge) while one service's CPU runs out for its own reasons. */
export const rampNotSurge: Situation = (w, onset) => {
  const { rng } = w;
  const root = rng.pick(deepServices(w)).name;
  hotCpu(w, root, onset, rng.int(1, 6));
  log(w, root, 'warn', () => `worker pool saturated: ${rng.int(50, 400)} requests queued`, onset, N - 1, rng.int(3, 8));
  return {
    category: 'cpu_saturation',
    service: root,
    cause: null,
    paged: pagedFor(w, root),
    alert: 'HighLatencyP99',
    quiet: [root],
  };
};

/** Real benchmark telemetry: per-pod CPU and memory, rates and latencies, no error series, no deploy record. */
export const realTelemetry: Situation = (w, onset) => {
  const { rng } = w;
  const root = rng.pick(deepServices(w)).name;
  hotCpu(w, root, onset, rng.int(1, 4));
  const busy = unrelatedTo(w, root);
  if (busy.length && rng.chance(0.7)) {
    const s = rng.pick(busy).name;
    const e = effects(w, s);
    // Busy with its own users, but within its capacity: traffic moves, CPU stays below saturation.
    const f = Math.min(rng.float(1.5, 2.5), Math.pow(0.7 / w.base.get(s)!.cpu, 1 / 0.85));
    for (let i = onset - rng.int(0, 15); i < N; i++) e.rateMul[i]! *= f;
  }
  return {
    category: 'cpu_saturation',
    service: root,
    cause: null,
    paged: entry(w),
    alert: 'HighLatencyP99',
    realTelemetry: true,
  };
};

export const certificate: Situation = (w, onset) => {
  const s = entry(w);
  effects(w, s).certExpiredAt = onset;
  breakService(w, s, onset, w.rng.float(0.3, 0.9));
  log(
    w,
    s,
    'error',
    () => `TLS handshake error from 10.${w.rng.int(0, 255)}.${w.rng.int(0, 255)}.7: remote error: tls: bad certificate`,
    onset,
    N - 1,
    w.rng.int(4, 10),
  );
  return { category: 'certificate_expiry', service: s, cause: null, paged: s };
};

export const diskFull: Situation = (w, onset) => {
  const { rng } = w;
  const s = rng.pick(services(w)).name;
  const b = w.base.get(s)!;
  const start = onset - rng.int(20, 90);
  effects(w, s).diskFree = Array.from({ length: N }, (_, i) =>
    i < start ? b.disk : i >= onset ? 0.001 : b.disk * (1 - (i - start) / (onset - start)),
  );
  breakService(w, s, onset, rng.float(0.1, 0.7));
  log(
    w,
    s,
    'error',
    () => `write ${rng.pick(['/var/lib/app/spool', '/tmp/upload'])}/${rng.hex(8)}: no space left on device`,
    onset,
    N - 1,
    rng.int(4, 10),
  );
  return { category: 'disk_full', service: s, cause: null, paged: pagedFor(w, s, 0.4) };
};

export const queueBacklog: Situation = (w, onset) => {
  const { rng } = w;
  const worker = w.nodes.find((n) => n.kind === 'worker');
  if (!worker) return diskFull(w, onset);
  effects(w, worker.name).queueStall = Array.from({ length: N }, (_, i) => (i >= onset ? rng.float(0.6, 0.85) : 0));
  return {
    category: 'queue_backlog',
    service: worker.name,
    cause: null,
    paged: worker.name,
    alert: 'QueueBacklogHigh',
  };
};

export const dbSaturation: Situation = (w, onset) => {
  const { rng } = w;
  const db = rng.pick(w.nodes.filter((n) => n.kind === 'database')).name;
  const e = effects(w, db);
  const b = w.base.get(db)!;
  e.conns = Array.from({ length: N }, (_, i) => (i >= onset ? Math.min(1, 0.9 + rng.float(0, 0.1)) : b.conns));
  breakService(w, db, onset, rng.float(0.05, 0.4), rng.float(4, 15), rng.int(1, 5));
  log(
    w,
    db,
    'warn',
    () =>
      `LOG: duration: ${rng.int(5000, 40000)} ms  statement: UPDATE accounts SET balance = balance + $1 WHERE id = $2`,
    onset - 2,
    N - 1,
    rng.int(4, 9),
  );
  return { category: 'db_saturation', service: db, cause: null, paged: pagedFor(w, db) };
};
