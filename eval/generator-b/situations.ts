// Generator B's situations (issue 11), each written from how the failure looks to an SRE, independently of generator A.
import { N } from './model.js';
import {
  breakService,
  callerErrors,
  callersOf,
  deepServices,
  hotCpu,
  newTraces,
  pagedFor,
  services,
  unrelatedTo,
  type Outcome,
  type Situation,
} from './faults.js';
import { change, deploy, moduleName, warmup } from './noise.js';
import { effects, log, type World } from './world.js';
import {
  certificate,
  dbSaturation,
  diskFull,
  queueBacklog,
  rampNotSurge,
  realSurge,
  realTelemetry,
  slowLeak,
} from './resources.js';

const errLevel = (w: World) => w.rng.logFloat(0.04, 0.5);

/** Two deploys minutes apart; the culprit (maybe two hops below the page) is not the nearest to the onset. */
const whichChange: Situation = (w, onset) => {
  const { rng } = w;
  const root = rng.pick(deepServices(w)).name;
  const mod = moduleName(w);
  const bad = deploy(w, root, onset - rng.int(5, 22), mod);
  newTraces(w, root, mod, onset);
  breakService(w, root, onset, errLevel(w), rng.float(1, 2.5), rng.int(1, 4));
  const other = rng.pick(services(w).filter((s) => s.name !== root)).name;
  const at = onset - rng.int(0, 3);
  deploy(w, other, at);
  warmup(w, other, at);
  return { category: 'bad_deploy', service: root, cause: bad.id, paged: pagedFor(w, root), quiet: [root] };
};

/** The effect starts 10-25 minutes after the deploy (cache entries expiring); a harmless change lands nearer the onset. */
const delayedEffect: Situation = (w, onset) => {
  const { rng } = w;
  const root = rng.pick(services(w).filter((s) => s.depth > 0)).name;
  const mod = moduleName(w);
  const bad = deploy(w, root, onset - rng.int(10, 25), mod);
  log(
    w,
    root,
    'error',
    () => `cannot deserialize cached ${mod} entry (written by ${bad.sha}): unknown field "v2"`,
    onset,
    N - 1,
    rng.int(5, 12),
  );
  if (rng.chance(0.5)) newTraces(w, root, mod, onset);
  breakService(w, root, onset, errLevel(w), rng.float(1, 2), rng.int(2, 8));
  const near = onset - rng.int(1, 5);
  if (rng.chance(0.5))
    change(
      w,
      root,
      near,
      'feature_flag',
      `enable ${rng.pick(['promo-banner', 'new-avatar', 'compact-list'])} for ${rng.int(5, 30)}% of users`,
    );
  else {
    deploy(w, root, near);
    warmup(w, root, near);
  }
  return { category: 'bad_deploy', service: root, cause: bad.id, paged: pagedFor(w, root), quiet: [root] };
};

/** The failing database or service exports nothing: callers' edges and its own logs carry the diagnosis. */
const silentRoot: Situation = (w, onset) => {
  const { rng } = w;
  const dbs = w.nodes.filter((n) => n.kind === 'database').map((n) => n.name);
  const variant = rng.pick(['disk', 'slots', 'limit', 'deploy'] as const);
  if (variant === 'deploy' || !dbs.length) {
    const root = rng.pick(deepServices(w)).name;
    const mod = moduleName(w);
    const bad = deploy(w, root, onset - rng.int(3, 20), mod);
    newTraces(w, root, mod, onset);
    breakService(w, root, onset, errLevel(w) + 0.1);
    callerErrors(w, root, onset, (c) => `call to ${root} failed: 500 Internal Server Error (${c} -> ${root})`);
    w.drop.add(root);
    return { category: 'bad_deploy', service: root, cause: bad.id, paged: pagedFor(w, root, 0), quiet: [root] };
  }
  const db = rng.pick(dbs);
  w.drop.add(db);
  breakService(w, db, onset, rng.float(0.1, 0.6), rng.float(1.5, 4));
  if (variant === 'disk') {
    log(
      w,
      db,
      'error',
      () => `ERROR: could not extend file "base/16384/${rng.int(10000, 99999)}": No space left on device`,
      onset,
      N - 1,
      rng.int(4, 10),
    );
    callerErrors(
      w,
      db,
      onset,
      () =>
        `query on ${db} failed: PANIC: could not write to file "pg_wal/xlogtemp.${rng.int(100, 999)}": No space left on device`,
    );
    return { category: 'disk_full', service: db, cause: null, paged: pagedFor(w, db), quiet: [db] };
  }
  if (variant === 'slots') {
    log(
      w,
      db,
      'warn',
      () =>
        `LOG: duration: ${rng.int(9000, 60000)} ms  statement: SELECT * FROM events WHERE payload @> $1 ORDER BY created_at`,
      onset - 3,
      N - 1,
      rng.int(5, 10),
    );
    log(
      w,
      db,
      'error',
      () => 'FATAL: remaining connection slots are reserved for non-replication superuser connections',
      onset,
      N - 1,
      rng.int(3, 8),
    );
    callerErrors(w, db, onset, () => `timeout acquiring connection from pool for ${db} after 5000ms`);
    return { category: 'db_saturation', service: db, cause: null, paged: pagedFor(w, db), quiet: [db] };
  }
  const lowered = rng.int(20, 80);
  const c = change(w, db, onset - rng.int(0, 8), 'config', `max_connections ${rng.int(150, 400)} -> ${lowered}`);
  log(
    w,
    db,
    'error',
    () => `FATAL: sorry, too many clients already (max_connections=${lowered})`,
    onset,
    N - 1,
    rng.int(4, 9),
  );
  callerErrors(w, db, onset, () => `could not connect to ${db}: too many clients already`);
  return { category: 'config_change', service: db, cause: c.id, paged: pagedFor(w, db), quiet: [db] };
};

/** Another team's change on a dependency: an auth setting rejecting one caller, or a lowered connection limit. */
const otherTeam: Situation = (w, onset) => {
  const { rng } = w;
  const dbs = w.nodes.filter((n) => n.kind === 'database');
  if (dbs.length && rng.chance(0.4)) {
    // A lowered connection limit: the pool saturates at once, queries are no slower.
    const db = rng.pick(dbs).name;
    const at = onset - rng.int(0, 6);
    const lowered = rng.int(20, 60);
    const c = change(w, db, at, 'config', `postgres: max_connections ${rng.int(200, 500)} -> ${lowered} (cost review)`);
    const b = w.base.get(db)!;
    effects(w, db).conns = Array.from({ length: N }, (_, i) => (i >= onset ? rng.float(0.97, 1) : b.conns));
    breakService(w, db, onset, rng.float(0.05, 0.4));
    callerErrors(w, db, onset, () => `pq: sorry, too many clients already (${db})`);
    return { category: 'config_change', service: db, cause: c.id, paged: pagedFor(w, db), quiet: [db] };
  }
  const withTwo = services(w).filter((s) => s.depth > 0 && callersOf(w, s.name).length >= 1);
  const dep = rng.pick(withTwo).name;
  const victim = rng.pick(callersOf(w, dep));
  const c = change(
    w,
    dep,
    onset - rng.int(1, 10),
    'config',
    `auth: restrict allowed_audiences to [${rng.pick(['internal', 'partners', 'mobile'])}]`,
  );
  const e = effects(w, victim);
  const rate = rng.float(0.3, 1);
  const arr = e.edge.get(dep) ?? new Array<number>(N).fill(0);
  for (let i = onset; i < N; i++) arr[i] = rate;
  e.edge.set(dep, arr);
  log(
    w,
    victim,
    'error',
    () => `call to ${dep} rejected: 403 Forbidden (audience "${victim}" not allowed)`,
    onset,
    N - 1,
    rng.int(4, 10),
  );
  log(w, dep, 'warn', () => `rejected token: aud=${victim} not in allowed_audiences`, onset, N - 1, rng.int(4, 10));
  return {
    category: 'config_change',
    service: dep,
    cause: c.id,
    paged: pagedFor(w, victim, 0.5),
    quiet: [dep, victim],
  };
};

/** A vendor rate-limits us because of our own change (429, Retry-After, quota used up) or is itself failing. */
const vendor: Situation = (w, onset) => {
  const { rng } = w;
  const v = rng.pick(w.nodes.filter((n) => n.kind === 'external')).name;
  const caller = rng.pick(callersOf(w, v));
  effects(w, v).err.fill(0);
  breakService(w, v, onset, rng.float(0.15, 0.8));
  if (rng.chance(0.5)) {
    const at = onset - rng.int(1, 12);
    const c = rng.chance(0.5)
      ? change(w, caller, at, 'feature_flag', `enable eager ${v} sync for all accounts`)
      : deploy(w, caller, at, 'SyncScheduler', `Poll ${v} every 5s instead of 60s`);
    log(
      w,
      caller,
      'error',
      () =>
        `${v} answered 429 Too Many Requests, Retry-After: ${rng.int(10, 60)}s (quota ${rng.int(0, 3)}/${rng.pick([1000, 5000])} remaining)`,
      onset,
      N - 1,
      rng.int(5, 12),
    );
    return {
      category: 'kind' in c ? 'config_change' : 'bad_deploy',
      service: caller,
      cause: c.id,
      paged: pagedFor(w, caller, 0.3),
      quiet: [caller],
    };
  }
  log(
    w,
    caller,
    'error',
    () =>
      rng.pick([
        `${v} request failed: 503 Service Unavailable`,
        `${v} call timed out after 10s`,
        `upstream ${v}: 502 Bad Gateway`,
      ]),
    onset,
    N - 1,
    rng.int(5, 12),
  );
  return { category: 'third_party_outage', service: v, cause: null, paged: pagedFor(w, caller, 0.3), quiet: [caller] };
};

/** A caller's raised retry policy amplifies a small blip of its dependency into a storm; entry traffic is flat. */
const retryStorm: Situation = (w, onset) => {
  const { rng } = w;
  const dep = rng.pick(deepServices(w)).name;
  const caller = rng.pick(callersOf(w, dep));
  const from = rng.int(2, 6);
  const to = rng.int(8, 15);
  const c = change(
    w,
    caller,
    onset - rng.int(10, 60),
    'config',
    `${dep} client: max_retries ${from} -> ${to}, backoff 0ms`,
  );
  const e = effects(w, dep);
  const mult = rng.float(2.5, 6);
  for (let i = onset; i < N; i++) {
    e.rateMul[i]! *= 1 + (mult - 1) * Math.min(1, (i - onset + 1) / 3);
    e.err[i]! += rng.float(0.02, 0.08);
  }
  hotCpu(w, dep, onset + 1, 3);
  log(w, caller, 'warn', () => `retrying ${dep} call (attempt ${rng.int(2, to)}/${to})`, onset, N - 1, rng.int(6, 14));
  return {
    category: 'config_change',
    service: caller,
    cause: c.id,
    paged: pagedFor(w, dep, 0.2),
    quiet: [caller, dep],
  };
};

/** Not any known cause: resolver failures across unrelated edges, clock skew, a partition between zones. */
const lookalike: Situation = (w, onset) => {
  const { rng } = w;
  const kind = rng.pick(['dns', 'skew', 'zone'] as const);
  const hit = rng.shuffle(services(w).filter((s) => s.dependsOn.length)).slice(0, rng.int(2, 3));
  for (const s of hit) {
    const dep = rng.pick(s.dependsOn);
    const e = effects(w, s.name);
    const arr = e.edge.get(dep) ?? new Array<number>(N).fill(0);
    const r = rng.float(0.1, 0.6);
    for (let i = onset; i < N; i++) arr[i] = r;
    e.edge.set(dep, arr);
    const line =
      kind === 'dns'
        ? () => `dial tcp: lookup ${dep}.svc.cluster.local on 10.96.0.10:53: server misbehaving`
        : kind === 'skew'
          ? () => `token rejected: iat ${rng.int(30, 300)}s in the future (clock skew?)`
          : () => `connect to ${dep} (zone-${rng.pick(['b', 'c'])}): no route to host`;
    log(w, s.name, 'error', line, onset, N - 1, rng.int(4, 10));
  }
  const bait = rng.pick(hit).name;
  deploy(w, bait, onset - rng.int(1, 10));
  return {
    category: 'novel',
    service: null,
    cause: null,
    paged: pagedFor(w, hit[0]!.name, 0.3),
    quiet: hit.map((h) => h.name),
  };
};

/** Two faults at once: the page is explained by the one whose symptoms reach it through the call graph. */
const twoFaults: Situation = (w, onset) => {
  const { rng } = w;
  const first = rng.pick([whichChange, delayedEffect, vendor])(w, onset);
  const far = unrelatedTo(w, first.paged).filter((s) => s.name !== first.service);
  if (far.length) {
    const x = rng.pick(far).name;
    hotCpu(w, x, onset - rng.int(-3, 10));
    log(w, x, 'warn', () => `event loop blocked for ${rng.int(300, 2000)}ms`, onset, N - 1, rng.int(3, 8));
  }
  return first;
};

export const SITUATIONS_B: Record<string, Situation> = {
  which_change: whichChange,
  delayed_effect: delayedEffect,
  silent_root: silentRoot,
  slow_leak: slowLeak,
  real_surge: realSurge,
  ramp_not_surge: rampNotSurge,
  other_team_change: otherTeam,
  vendor_rate_limit_or_outage: vendor,
  retry_storm: retryStorm,
  lookalike_novel: lookalike,
  two_faults: twoFaults,
  real_telemetry: realTelemetry,
  certificate: certificate,
  disk_full: diskFull,
  queue_backlog: queueBacklog,
  db_saturation: dbSaturation,
};

export type { Outcome };
