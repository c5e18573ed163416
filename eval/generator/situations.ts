// Harder generated incidents (issue 11): the situations an experienced SRE reads right from the data, with random
// topologies, numbers, noise, timing and harmless distractions, so the investigator is built for the reasoning. Each
// situation sets up the live world (sandbox/world/): its deploys and changes, its faults as the world's own kinds and
// what its services say; the window's signals are sampled from the world's model.
import { CODE_CLASSES } from '../../sandbox/world/fault-catalogue.js';
import { Random } from '../../sandbox/world/random.js';
import { descendants } from '../../sandbox/world/topology.js';
import type { Category } from '../../src/investigation/evidence-model.js';
import type { Scenario } from '../scenario-format.js';
import { assemble } from './assemble.js';
import { distractions } from './distractions.js';
import { addChange, addDeploy } from './history.js';
import { type Fault, type WorldFault, choosePaged, planFault } from './plan-fault.js';
import {
  type Situation,
  breakService,
  dailyRamp,
  deep,
  fault,
  fileOf,
  http,
  quiet,
  realTelemetry,
  stackTraces,
  warmup,
} from './situation-helpers.js';
import { N, type Scene, addLogs, idxSec, newScene, servesHttp } from './scene.js';
import { addLookalikes, liveWorld, sampleWindow } from './world-window.js';

/** A plain category's fault (plan-fault.ts) as a situation. */
const plain = (w: Scene, category: Category, onset: number, ramp: number): Fault => planFault(w, category, onset, ramp);

/** A hot path on `service`: CPU saturates, requests queue, latency and timeouts climb. */
function hotPath(w: Scene, service: string, onset: number, ramp: number): WorldFault {
  const cpu = w.baselines.get(service)?.cpu ?? 0.3;
  return quiet(w, 'cpu_saturation', service, onset, ramp, {
    hotPath: Math.max(0.2, 1.05 - cpu) + w.rng.float(0.05, 0.4),
  });
}

export const SITUATIONS: Record<string, Situation> = {
  /** Two deploys minutes apart on different services; the culprit is not the nearest to the onset. */
  which_change(w, onset, ramp) {
    const { rng } = w;
    const root = rng.pick(deep(w));
    const cls = rng.pick(CODE_CLASSES);
    const bad = addDeploy(w, root, idxSec(w, onset) - rng.float(4, 22) * 60, cls);
    stackTraces(w, root, cls, onset);
    const broken = breakService(w, root, onset, ramp, rng.logFloat(0.03, 0.5), 0, 'bad_deploy', bad.id);
    const others = http(w).filter((s) => s !== root);
    const other = rng.pick(others.length ? others : [broken.paged]);
    const at = onset - rng.int(-1, 3);
    addDeploy(w, other, idxSec(w, at) + rng.float(0, 50), rng.pick(CODE_CLASSES.filter((c) => c !== cls)));
    w.noChangeNearOnset.add(other);
    return fault('bad_deploy', root, bad.id, broken.paged, [...broken.world, ...warmup(w, other, at)]);
  },

  /** The effect starts 10-25 minutes after the deploy (cache entries expiring); a harmless change lands nearer the onset. */
  delayed_effect(w, onset, ramp) {
    const { rng } = w;
    const root = rng.pick(http(w));
    const cls = rng.pick(CODE_CLASSES);
    const bad = addDeploy(w, root, idxSec(w, onset) - rng.float(10, 25) * 60, cls);
    addLogs(
      w,
      root,
      'error',
      () =>
        `failed to decode cached entry written by build ${bad.sha}: ${cls} payload schema mismatch (${fileOf(cls)})`,
      onset,
      N - 1,
      rng.int(4, 10),
    );
    if (rng.chance(0.6)) stackTraces(w, root, cls, onset);
    const broken = breakService(w, root, onset, ramp, rng.logFloat(0.03, 0.5), 0.3, 'bad_deploy', bad.id);
    if (rng.chance(0.5))
      addChange(w, root, idxSec(w, onset) - rng.float(0.5, 5) * 60, rng.pick(['feature_flag', 'infra'] as const));
    else addDeploy(w, root, idxSec(w, onset) - rng.float(0.5, 5) * 60, rng.pick(CODE_CLASSES.filter((c) => c !== cls)));
    return fault('bad_deploy', root, bad.id, broken.paged, broken.world);
  },

  /** The failing service or database exports nothing: callers' per-upstream errors and its own logs carry the diagnosis. */
  silent_root(w, onset, ramp) {
    const { rng } = w;
    const dbs = w.topo.services
      .filter((s) => s.kind === 'database' && (w.callers.get(s.name) ?? []).some((c) => servesHttp(w, c)))
      .map((s) => s.name);
    const variant = dbs.length ? rng.pick(['disk', 'connections', 'deploy'] as const) : 'deploy';
    const root = variant === 'deploy' ? rng.pick(deep(w)) : rng.pick(dbs);
    const e = rng.logFloat(0.04, 0.5);
    let cause: string | null = null;
    let category: Category;
    let world: WorldFault;
    if (variant === 'disk') {
      category = 'disk_full';
      addLogs(
        w,
        root,
        'error',
        () =>
          rng.pick([
            'PANIC: could not write to file "pg_wal/xlogtemp.412": No space left on device',
            'ERROR: could not extend file "base/16384/2619": No space left on device',
          ]),
        onset,
        N - 1,
        rng.int(4, 10),
      );
      // The disk filled in the half hour before the onset; the database fails writes from then.
      const fillMs = rng.int(15, 40) * 60_000;
      world = quiet(w, 'disk_full', root, onset, 1, { fillMs, errorRatio: e });
      world.startAt -= fillMs;
    } else if (variant === 'connections') {
      category = 'db_saturation';
      addLogs(
        w,
        root,
        'error',
        () =>
          rng.pick([
            'FATAL: remaining connection slots are reserved for non-replication superuser connections',
            `LOG: duration: ${rng.int(20000, 90000)} ms statement: SELECT * FROM events WHERE created_at > $1`,
          ]),
        onset,
        N - 1,
        rng.int(5, 12),
      );
      world = quiet(w, 'db_saturation', root, onset, ramp, { callFailure: e });
    } else {
      category = 'bad_deploy';
      const cls = rng.pick(CODE_CLASSES);
      cause = addDeploy(w, root, idxSec(w, onset) - rng.float(1, 20) * 60, cls).id;
      stackTraces(w, root, cls, onset);
      world = quiet(w, 'bad_deploy', root, onset, ramp, { errorRatio: e }, { cause });
    }
    // Its callers see it fail through their per-upstream errors; it has no series of its own.
    const users = (w.callers.get(root) ?? []).filter((c) => servesHttp(w, c));
    const user = users.length ? rng.pick(users) : rng.pick(http(w).filter((s) => s !== root));
    addLogs(
      w,
      user,
      'error',
      () =>
        `request to ${root} failed: ${variant === 'connections' ? 'timeout acquiring connection' : '500 Internal Server Error'}`,
      onset,
      N - 1,
      rng.int(4, 10),
    );
    const [paged] = choosePaged(w, user, 0.4);
    w.noChangeNearOnset.add(root);
    return { ...fault(category, root, cause, paged, [world]), silent: root };
  },

  /** A leak that began hours ago at one deploy, growing through later harmless deploys; replicas OOM-killed in turn. */
  slow_memory(w, onset) {
    const { rng } = w;
    const root = rng.pick(
      w.topo.services.filter((s) => s.kind === 'service' || s.kind === 'worker').map((s) => s.name),
    );
    const leakIdx = rng.int(3, 45);
    const leak = addDeploy(w, root, idxSec(w, leakIdx) - rng.float(0, 2) * 60);
    // The first replica is OOM-killed at the onset; the others follow in turn every few minutes.
    const world: WorldFault = {
      kind: 'memory_leak',
      scenario: 'generated-situation',
      service: root,
      cause: leak.id,
      startAt: Date.parse(leak.ts),
      params: {
        oomAfterMs: idxSec(w, onset) * 1000 - Date.parse(leak.ts),
        cascadeMs: rng.int(4, 12) * 60_000,
        errorRatio: rng.logFloat(0.03, 0.3),
      },
    };
    for (let k = rng.int(1, 2); k > 0; k--)
      addDeploy(w, root, idxSec(w, rng.int(leakIdx + 20, Math.max(leakIdx + 21, onset - 10))));
    addLogs(
      w,
      root,
      'error',
      () => `container ${root} OOMKilled (exit code 137), restarting`,
      onset,
      N - 1,
      rng.int(3, 6),
    );
    let paged = root;
    let alertname = 'PodCrashLooping';
    if (servesHttp(w, root)) {
      [paged] = choosePaged(w, root, 0.5);
      alertname = paged === root && rng.chance(0.4) ? 'PodCrashLooping' : 'HighErrorRate';
    }
    w.noChangeNearOnset.add(root);
    return fault('memory_leak', root, leak.id, paged, [world], alertname);
  },

  /** Traffic ramps with the day; CPU steps up out of proportion to it: CPU saturation, not a surge. */
  daily_ramp(w, onset, ramp) {
    const { rng } = w;
    const root = rng.pick(http(w));
    const trend = dailyRamp(w, http(w), () => rng.float(1.3, 1.9));
    addLogs(
      w,
      root,
      'warn',
      () => `event loop lag ${rng.int(300, 3000)}ms exceeds 200ms`,
      onset,
      N - 1,
      rng.int(4, 10),
    );
    const [paged] = choosePaged(w, root, 0.4);
    w.noChangeNearOnset.add(root);
    const alertname = rng.chance(0.5) ? 'HighLatencyP99' : 'HighErrorRate';
    return fault('cpu_saturation', root, null, paged, [...trend, hotPath(w, root, onset, ramp)], alertname);
  },

  /** A real surge on top of the daily ramp: traffic steps up within minutes. */
  surge_on_ramp(w, onset) {
    const { rng } = w;
    const trend = dailyRamp(w, http(w), () => rng.float(1.2, 1.7));
    const f = plain(w, 'traffic_surge', onset, rng.int(1, 5));
    return { ...f, world: [...trend.filter((t) => t.service !== f.root), ...f.world] };
  },

  /** Another team's flag or config change on a dependency; its own errors and the logs quote the change. */
  dependency_change(w, onset, ramp) {
    const { rng } = w;
    const root = rng.pick(deep(w));
    const c = addChange(
      w,
      root,
      idxSec(w, onset) - rng.float(0.5, 15) * 60,
      rng.pick(['feature_flag', 'config'] as const),
    );
    const quoted = c.summary.split(' ')[c.kind === 'feature_flag' ? 1 : 0]!;
    addLogs(
      w,
      root,
      'error',
      () => `${quoted} is on: ${rng.pick(CODE_CLASSES)} rejected request: unexpected response shape`,
      onset,
      N - 1,
      rng.int(4, 10),
    );
    const broken = breakService(w, root, onset, ramp, rng.logFloat(0.03, 0.4), 0, 'config_change', c.id);
    return fault('config_change', root, c.id, broken.paged, broken.world);
  },

  /** An auth setting on a dependency that rejects only one caller: one edge fails, the dependency's own errors barely move. */
  auth_one_caller(w, onset, ramp) {
    const { rng } = w;
    const pairs = w.topo.services
      .filter((s) => s.kind === 'service')
      .flatMap((s) => s.dependsOn.filter((d) => w.byName.get(d)?.kind === 'service').map((d) => [s.name, d] as const));
    if (!pairs.length) return SITUATIONS.dependency_change!(w, onset, ramp);
    const [caller, root] = rng.pick(pairs);
    const setting = rng.pick(['allowed_clients', 'audience', 'required_scopes', 'mtls_client_allowlist']);
    const c = addChange(w, root, idxSec(w, onset) - rng.float(0.5, 12) * 60, 'config');
    c.summary = `auth: ${setting} updated for ${root} (${rng.int(2, 9)} entries)`;
    // The dependency refuses this caller's calls at once: they fail, and take no longer.
    const refused = quiet(
      w,
      'network_partition',
      root,
      onset,
      ramp,
      { failure: rng.logFloat(0.2, 1), latency: 0 },
      {
        from: caller,
        cause: c.id,
      },
    );
    addLogs(
      w,
      caller,
      'error',
      () => `request to ${root} failed: 403 Forbidden: client "${caller}" rejected (${setting})`,
      onset,
      N - 1,
      rng.int(5, 12),
    );
    addLogs(w, root, 'warn', () => `auth: rejected client ${caller}: not in ${setting}`, onset, N - 1, rng.int(3, 8));
    const [paged] = choosePaged(w, caller, 0.5);
    w.noChangeNearOnset.add(root);
    w.noChangeNearOnset.add(caller);
    return fault('config_change', root, c.id, paged, [refused]);
  },

  /** A lowered connection limit: the pool saturates with no slow queries. A config change, not database saturation. */
  connection_limit(w, onset, ramp) {
    const { rng } = w;
    const dbs = w.topo.services
      .filter((s) => s.kind === 'database' && (w.callers.get(s.name) ?? []).some((c) => servesHttp(w, c)))
      .map((s) => s.name);
    if (!dbs.length) return SITUATIONS.dependency_change!(w, onset, ramp);
    const root = rng.pick(dbs);
    const before = rng.pick([100, 200, 300, 500]);
    const after = Math.round(before * rng.float(0.1, 0.35));
    const c = addChange(w, root, idxSec(w, onset) - rng.float(0.5, 10) * 60, 'config');
    c.summary = `max_connections ${before} -> ${after}`;
    // The pool is full at once; queries run as fast as ever.
    const full = quiet(
      w,
      'db_saturation',
      root,
      onset,
      1,
      { connections: rng.float(0.95, 1), queryLatency: 0, callFailure: rng.logFloat(0.03, 0.4) },
      { cause: c.id },
    );
    addLogs(
      w,
      root,
      'error',
      () =>
        rng.pick([
          'FATAL: sorry, too many clients already',
          'FATAL: remaining connection slots are reserved for non-replication superuser connections',
        ]),
      onset,
      N - 1,
      rng.int(5, 12),
    );
    const users = (w.callers.get(root) ?? []).filter((u) => servesHttp(w, u));
    const user = rng.pick(users);
    addLogs(
      w,
      user,
      'error',
      () => `timeout acquiring connection from pool after ${rng.int(2, 10)}000ms`,
      onset,
      N - 1,
      rng.int(4, 10),
    );
    const [paged] = choosePaged(w, user, 0.4);
    w.noChangeNearOnset.add(root);
    return fault('config_change', root, c.id, paged, [full]);
  },

  /** A vendor rate-limits us (429, Retry-After) right after our own change made us call it harder. */
  vendor_ratelimit_ours(w, onset, ramp) {
    const { rng } = w;
    const vendors = w.topo.services.filter((s) => s.kind === 'external').map((s) => s.name);
    const vendor = rng.pick(vendors);
    const callers = (w.callers.get(vendor) ?? []).filter((c) => servesHttp(w, c));
    if (!callers.length) return SITUATIONS.vendor_outage!(w, onset, ramp);
    const caller = rng.pick(callers);
    const asDeploy = rng.chance(0.4);
    const at = idxSec(w, onset) - rng.float(0.5, 12) * 60;
    const cause = asDeploy
      ? addDeploy(w, caller, at, rng.pick(CODE_CLASSES))
      : addChange(w, caller, at, rng.pick(['feature_flag', 'config'] as const));
    if (!asDeploy)
      (cause as { summary: string }).summary = rng.pick([
        `${vendor}_sync_interval_s 60 -> 5`,
        `set prefetch-${vendor} to 100% of traffic`,
        `${vendor}_batch_size 100 -> 1`,
      ]);
    // Only our calls are refused (the vendor is up for everyone else): 429s answered at once.
    const limited = quiet(
      w,
      'network_partition',
      vendor,
      onset,
      ramp,
      { failure: rng.logFloat(0.05, 0.5), latency: 0 },
      {
        from: caller,
        cause: cause.id,
      },
    );
    addLogs(
      w,
      caller,
      'error',
      () => `${vendor} API returned 429 Too Many Requests (Retry-After: ${rng.int(5, 60)})`,
      onset,
      N - 1,
      rng.int(5, 12),
    );
    addLogs(
      w,
      caller,
      'warn',
      () => `${vendor} quota at ${rng.int(97, 100)}% of requests per minute`,
      onset,
      N - 1,
      rng.int(2, 5),
    );
    const [paged] = choosePaged(w, caller, 0.5);
    w.noChangeNearOnset.add(caller);
    return fault(asDeploy ? 'bad_deploy' : 'config_change', caller, cause.id, paged, [limited]);
  },

  /** The vendor's own outage: 503s and timeouts, quota unchanged, with a harmless change of ours nearby. */
  vendor_outage(w, onset, ramp) {
    const { rng } = w;
    const f = plain(w, 'third_party_outage', onset, ramp);
    const callers = (w.callers.get(f.root!) ?? []).filter((c) => w.baselines.has(c));
    if (callers.length && rng.chance(0.6))
      addChange(
        w,
        rng.pick(callers),
        idxSec(w, onset) - rng.float(1, 15) * 60,
        rng.pick(['feature_flag', 'infra'] as const),
      );
    return f;
  },

  /** A caller raised its retries earlier; a small blip of its dependency multiplies into a retry storm. */
  retry_storm(w, onset, ramp) {
    const { rng } = w;
    const pairs = w.topo.services
      .filter((s) => s.kind === 'service')
      .flatMap((s) => s.dependsOn.filter((d) => servesHttp(w, d)).map((d) => [s.name, d] as const));
    if (!pairs.length) return SITUATIONS.dependency_change!(w, onset, ramp);
    const [caller, dep] = rng.pick(pairs);
    const from = rng.int(1, 3);
    const to = from + rng.int(4, 9);
    const c = addChange(w, caller, idxSec(w, onset) - rng.float(20, 100) * 60, 'config');
    c.summary = rng.pick([
      `max_retries ${from} -> ${to}`,
      `${dep} client retry attempts ${from} -> ${to}`,
      `retry budget for ${dep} raised ${from} -> ${to}`,
    ]);
    // The retries multiply the dependency's traffic past its capacity: CPU saturates, it times out and fails.
    const cpu = w.baselines.get(dep)?.cpu ?? 0.3;
    const storm = quiet(
      w,
      'traffic_surge',
      dep,
      onset,
      ramp,
      { factor: Math.max(rng.float(2.5, 6), 1.15 / cpu), downstreamShare: 0 },
      { cause: c.id },
    );
    addLogs(
      w,
      caller,
      'warn',
      () => `retrying request to ${dep} (attempt ${rng.int(3, to)}/${to})`,
      onset,
      N - 1,
      rng.int(6, 14),
    );
    const [paged] = choosePaged(w, dep, 0);
    w.noChangeNearOnset.add(dep);
    w.noChangeNearOnset.add(caller);
    return fault('config_change', caller, c.id, paged, [storm]);
  },

  /** Resolver failures, clock skew or a zone partition: no known category, whatever deployed last. */
  lookalike_novel(w, onset, ramp) {
    const { rng } = w;
    const variant = rng.pick(['dns', 'clock', 'partition'] as const);
    const sources = http(w).filter((s) => w.byName.get(s)!.dependsOn.length);
    const hit = rng
      .shuffle(sources.length ? sources : http(w))
      .slice(0, variant === 'dns' ? rng.int(2, 4) : rng.int(1, 3));
    const zone = rng.pick(['a', 'b', 'c']);
    const world: WorldFault[] = [];
    const edges: string[] = [];
    const zoneParams: Record<string, number> = {};
    for (const s of hit) {
      const internal = w.byName.get(s)!.dependsOn.filter((d) => w.byName.get(d)?.kind !== 'external');
      const dep = rng.pick(internal.length ? internal : [s]);
      const e = rng.logFloat(0.04, 0.4);
      if (variant === 'dns' && dep !== s) edges.push(`${s}>${dep}`);
      if (variant === 'clock')
        world.push(quiet(w, 'clock_skew', s, onset, ramp, { errorRatio: Math.max(e * 0.7, 0.02) }));
      zoneParams[`errorRatio:${s}`] = Math.max(e * 0.7, 0.02);
      const line =
        variant === 'dns'
          ? () =>
              `dial tcp: lookup ${dep}.svc.cluster.local on 10.96.0.10:53: ${rng.pick(['no such host', 'server misbehaving', 'i/o timeout'])}`
          : variant === 'clock'
            ? () =>
                `token validation failed: token used before issued (iat is ${rng.int(30, 400)}s in the future); clock skew suspected`
            : () =>
                `dial tcp 10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}:8080: connect: no route to host (${dep} in zone-${zone} unreachable)`;
      addLogs(w, s, 'error', line, onset, N - 1, rng.int(5, 12));
    }
    if (variant === 'dns')
      world.push(
        quiet(
          w,
          'dns_failure',
          hit[0]!,
          onset,
          ramp,
          { failure: rng.logFloat(0.06, 0.5), latency: 0 },
          {
            text: { edges: edges.join(',') },
          },
        ),
      );
    if (variant === 'partition')
      world.push(
        quiet(w, 'zone_partition', hit[0]!, onset, ramp, zoneParams, { text: { services: hit.join(','), zone } }),
      );
    // The bait: a harmless deploy of an affected service just before the onset (of a module the failure does not name).
    addDeploy(
      w,
      rng.pick(hit),
      idxSec(w, onset) - rng.float(1, 12) * 60,
      rng.pick(CODE_CLASSES.filter((c) => c !== 'TokenVerifier' && c !== 'GeoIndex')),
    );
    const [paged] = choosePaged(w, hit[0]!, 0.5);
    return { ...fault('novel', null, null, paged, world), affected: hit };
  },

  /** Two faults at once: the page is explained by the one whose symptom reaches it through the call graph. */
  two_faults(w, onset, ramp) {
    const { rng } = w;
    const f = plain(
      w,
      rng.pick(['bad_deploy', 'config_change', 'db_saturation', 'third_party_outage'] as const),
      onset,
      ramp,
    );
    const reach = descendants(w.topo.services, f.paged);
    const ancestors = new Set(
      w.topo.services.filter((s) => descendants(w.topo.services, s.name).has(f.paged)).map((s) => s.name),
    );
    const elsewhere = http(w).filter((s) => !reach.has(s) && !ancestors.has(s));
    if (elsewhere.length) {
      const x = rng.pick(elsewhere);
      const at = onset - rng.int(-3, 8);
      f.world.push(hotPath(w, x, at, 2));
      addLogs(w, x, 'warn', () => `event loop lag ${rng.int(300, 3000)}ms exceeds 200ms`, at, N - 1, rng.int(4, 9));
      w.noChangeNearOnset.add(x);
    }
    return f;
  },

  /** Real-telemetry shape: per-pod CPU and memory, noisy rates and latencies, no error series, no deploy record. */
  real_telemetry(w, onset, ramp) {
    const { rng } = w;
    const root = rng.pick(deep(w));
    const [paged, path] = choosePaged(w, root, 0);
    const world = [hotPath(w, root, onset, ramp)];
    // Another service busy with its own traffic.
    const busy = http(w).filter((s) => !path.includes(s));
    if (busy.length && rng.chance(0.6)) {
      const s = rng.pick(busy);
      const cpu = w.baselines.get(s)?.cpu ?? 0.3;
      world.push(
        quiet(w, 'retry_cpu', s, onset - rng.int(0, 20), 5, { cpu: Math.max(0, rng.float(0.55, 0.75) - cpu) }),
      );
    }
    w.noChangeNearOnset.add(root);
    return { ...fault('cpu_saturation', root, null, paged, world, 'HighLatencyP99'), affected: ['real_telemetry'] };
  },
};

export const SITUATION_NAMES = Object.keys(SITUATIONS);

/** One scenario of a situation, reproducible from `seed`. */
export function generateSituation(seed: number, situation: string, label: string): Scenario {
  const rng = new Random(seed);
  const w = newScene(
    rng,
    (t) => t.services.some((s) => s.kind === 'database') && t.services.filter((s) => s.kind === 'service').length >= 4,
  );
  const onset = N - 1 - rng.int(8, 40);
  const ramp = rng.chance(0.6) ? 1 : rng.int(2, Math.min(10, N - 1 - onset - 6));
  const f = SITUATIONS[situation]!(w, onset, ramp);
  const real = f.affected.includes('real_telemetry');
  const world = liveWorld(w, f.world);
  distractions(w, { ...f, affected: real ? [] : f.affected }, onset, world);
  addLookalikes(world, w);
  const sampled = sampleWindow(world, w);
  // A silent service exports no series of its own; its callers' per-upstream series still name it.
  if (f.silent) sampled.metrics = sampled.metrics.filter((m) => m.metric.service !== f.silent);
  const s = assemble(
    w,
    f,
    onset,
    label,
    `Generated incident (${situation.replace(/_/g, ' ')}): ${f.alertname} on ${f.paged}`,
    sampled,
  );
  return real ? realTelemetry(s, rng, f.paged) : s;
}

/** `count` scenarios from `seed`, cycling through every situation so each is covered. */
export function generateSituations({ count, seed }: { count: number; seed: number }): Scenario[] {
  const order = new Random(seed).shuffle(SITUATION_NAMES);
  return Array.from({ length: count }, (_, i) => {
    const name = order[i % order.length]!;
    return generateSituation(
      seed * 100_019 + i * 7907,
      name,
      `sit-s${seed}-${String(i + 1).padStart(4, '0')}-${name.replace(/_/g, '-')}`,
    );
  });
}
