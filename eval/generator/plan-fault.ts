// One fault of a category, planned on a generated scene and set up as the live world's fault: where it strikes (from
// the simulator's catalogue, sandbox/world/fault-catalogue.ts), the deploy or change behind it, the service the page
// lands on and with which alert, and the world's fault with its drawn strengths. The world carries it up the call
// graph and writes what the services say.
import { CODE_CLASSES, canStrike, type NovelKind } from '../../sandbox/world/fault-catalogue.js';
import { descendants } from '../../sandbox/world/topology.js';
import type { World as LiveWorld } from '../../sandbox/world/world.js';
import type { Category } from '../../src/investigation/evidence-model.js';
import { addChange, addDeploy } from './history.js';
import { N, STEP, type Scene, idxSec, servesHttp } from './scene.js';

/** A fault the live world carries. */
export type WorldFault = Parameters<LiveWorld['addFault']>[0];

/** What the scenario's truth and page say of the fault, and the world's faults that make its signals. */
export interface Fault {
  category: Category;
  root: string | null;
  cause: string | null;
  paged: string;
  alertname: string;
  /** Services that fail with no known cause (novel). */
  affected: string[];
  world: WorldFault[];
  /** A service that exports no series of its own. */
  silent?: string;
}

const MINUTE = 60_000;

/** Services with a path from them to `target` (they call it, directly or not), with that path. */
function ancestorsWithPath(s: Scene, target: string): Array<[string, string[]]> {
  const out: Array<[string, string[]]> = [];
  for (const x of s.topo.services) {
    if (!servesHttp(s, x.name)) continue;
    const p = descendants(s.topo.services, x.name).get(target);
    if (p) out.push([x.name, p]);
  }
  return out;
}

/** The service the page lands on: `target` itself (with chance `preferSelf`) or a caller above it, with the path. */
export function choosePaged(s: Scene, target: string, preferSelf: number): [string, string[]] {
  const anc = ancestorsWithPath(s, target).filter(([x]) => x !== target);
  if ((servesHttp(s, target) && s.rng.chance(preferSelf)) || anc.length === 0) return [target, [target]];
  return s.rng.pick(anc);
}

const cpuOf = (s: Scene, name: string) => s.baselines.get(name)?.cpu ?? 0.3;

function known(s: Scene, category: Exclude<Category, 'novel'>, onset: number, ramp: number): Fault {
  const { rng } = s;
  const strikable = s.topo.services.filter((x) => canStrike(category, x)).map((x) => x.name);
  const t0 = idxSec(s, onset);
  const startAt = t0 * 1000;
  const rampMs = ramp * STEP * 1000;
  const base = { scenario: `generated-${category}`, startAt };
  const fault = (root: string, cause: string | null, paged: string, alertname: string, world: WorldFault): Fault => ({
    category,
    root,
    cause,
    paged,
    alertname,
    affected: [],
    world: [world],
  });
  switch (category) {
    case 'bad_deploy':
    case 'config_change': {
      const root = rng.pick(strikable);
      const [paged] = choosePaged(s, root, 0.3);
      const cls = rng.pick(CODE_CLASSES);
      const cause =
        category === 'bad_deploy'
          ? addDeploy(s, root, t0 - rng.float(0.5, 28) * 60, cls)
          : addChange(s, root, t0 - rng.float(0.3, 20) * 60, rng.pick(['feature_flag', 'config'] as const));
      // The nearest deploy is not always the culprit: a harmless one lands after the bad one, and only the stack
      // traces (which name the class the bad deploy touched) tell them apart.
      if (category === 'bad_deploy' && rng.chance(0.3)) {
        const causeAt = Date.parse(cause.ts) / 1000;
        addDeploy(
          s,
          root,
          Math.min(t0 + 60, causeAt + rng.float(3, 15) * 60),
          rng.pick(CODE_CLASSES.filter((c) => c !== cls)),
        );
      }
      s.noChangeNearOnset.add(root);
      const file = `src/${cls.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}.ts`;
      return fault(root, cause.id, paged, 'HighErrorRate', {
        ...base,
        kind: category,
        service: root,
        cause: cause.id,
        params: { errorRatio: rng.logFloat(0.04, 0.6), rampMs },
        text: {
          exception: `TypeError: Cannot read properties of undefined (reading '${rng.pick(['locale', 'id', 'price', 'items'])}') at ${cls}.handle (${file}:${rng.int(20, 400)})`,
          handler: cls,
          error: `${cls} failed: schema mismatch: expected v2 payload`,
        },
      });
    }
    case 'third_party_outage': {
      const root = rng.pick(strikable);
      const direct = rng.pick((s.callers.get(root) ?? []).filter((c) => s.baselines.has(c)));
      const [paged, alertname] = servesHttp(s, direct)
        ? [choosePaged(s, direct, 0.5)[0], 'HighErrorRate']
        : [direct, 'QueueBacklogHigh'];
      return fault(root, null, paged, alertname, {
        ...base,
        kind: category,
        service: root,
        params: { failure: rng.logFloat(0.1, 0.9), timeoutLatency: rng.float(2, 8), rampMs },
      });
    }
    case 'cpu_saturation': {
      const root = rng.pick(strikable);
      const [paged] = choosePaged(s, root, 0.4);
      s.noChangeNearOnset.add(root);
      const alertname = paged === root && rng.chance(0.5) ? 'HighLatencyP99' : 'HighErrorRate';
      return fault(root, null, paged, alertname, {
        ...base,
        kind: category,
        service: root,
        params: { hotPath: Math.max(0.2, 1.05 - cpuOf(s, root)) + rng.float(0.05, 0.4), rampMs },
      });
    }
    case 'traffic_surge': {
      const root = rng.pick(strikable);
      const [paged] = choosePaged(s, root, 0.4);
      s.noChangeNearOnset.add(root);
      const factor = Math.max(rng.float(1.9, 5), 1.1 / cpuOf(s, root));
      // What the surge passes to the services it calls stays short of saturating them.
      const deps = (s.byName.get(root)?.dependsOn ?? []).filter((d) => s.baselines.has(d)).map((d) => cpuOf(s, d));
      const room = Math.min(0.15, ...deps.map((c) => Math.max(0, 0.55 / c - 1) / (factor - 1)));
      const alertname = paged === root && rng.chance(0.5) ? 'HighLatencyP99' : 'HighErrorRate';
      return fault(root, null, paged, alertname, {
        ...base,
        kind: category,
        service: root,
        params: { factor, downstreamShare: room, rampMs },
      });
    }
    case 'memory_leak': {
      const root = rng.pick(strikable);
      // The leak began with the deploy that shipped it; the first pod is OOM-killed at the onset.
      const leakIdx = rng.int(15, 75);
      const deploy = addDeploy(s, root, idxSec(s, leakIdx) - rng.float(0, 2.5) * 60);
      if (rng.chance(0.5)) addDeploy(s, root, idxSec(s, rng.int(leakIdx + 15, Math.max(leakIdx + 16, onset - 45))));
      let [paged, alertname] = [root, 'PodCrashLooping'];
      if (servesHttp(s, root)) {
        [paged] = choosePaged(s, root, 0.5);
        alertname = paged === root && rng.chance(0.4) ? 'PodCrashLooping' : 'HighErrorRate';
      }
      const leakFor = startAt - Date.parse(deploy.ts);
      return fault(root, deploy.id, paged, alertname, {
        ...base,
        kind: category,
        service: root,
        cause: deploy.id,
        startAt: startAt - leakFor,
        params: { oomAfterMs: leakFor, errorRatio: rng.logFloat(0.03, 0.4) },
      });
    }
    case 'db_saturation': {
      const root = rng.pick(strikable);
      const users = (s.callers.get(root) ?? []).filter((c) => servesHttp(s, c));
      const [paged, alertname] =
        users.length === 0 || rng.chance(0.2)
          ? [root, 'PostgresConnectionsSaturated']
          : [choosePaged(s, rng.pick(users), 0.4)[0], 'HighErrorRate'];
      return fault(root, null, paged, alertname, {
        ...base,
        kind: category,
        service: root,
        text: { query: `SELECT * FROM ${rng.pick(['events', 'orders', 'sessions'])} WHERE created_at > $1` },
        params: { rampMs },
      });
    }
    case 'certificate_expiry': {
      const root = rng.pick(strikable);
      const [paged] = choosePaged(s, root, 0.5);
      const alertname = paged === root && rng.chance(0.4) ? 'ProbeFailure' : 'HighErrorRate';
      // The world serves a probe of it from now on: the probe is what sees the expired certificate.
      s.baselines.get(root)!.probed = true;
      return fault(root, null, paged, alertname, {
        ...base,
        kind: category,
        service: root,
        params: { errorRatio: rng.float(0.2, 0.9) },
      });
    }
    case 'disk_full': {
      const root = rng.pick(strikable);
      const fillMs = rng.int(15, 70) * MINUTE;
      const target = servesHttp(s, root)
        ? root
        : rng.pick((s.callers.get(root) ?? []).filter((c) => servesHttp(s, c)).concat([root]));
      let [paged, alertname] = [root, 'DiskAlmostFull'];
      if (servesHttp(s, target)) {
        [paged] = choosePaged(s, target, 0.5);
        alertname = paged === root && rng.chance(0.4) ? 'DiskAlmostFull' : 'HighErrorRate';
      }
      return fault(root, null, paged, alertname, {
        ...base,
        kind: category,
        service: root,
        startAt: startAt - fillMs,
        params: { fillMs, errorRatio: rng.logFloat(0.04, 0.5) },
      });
    }
    case 'queue_backlog': {
      const root = strikable.length
        ? rng.pick(strikable)
        : rng.pick(s.topo.services.filter((x) => s.baselines.get(x.name)?.queue).map((x) => x.name));
      s.noChangeNearOnset.add(root);
      return fault(root, null, root, 'QueueBacklogHigh', {
        ...base,
        kind: category,
        service: root,
        params: { rampMs },
      });
    }
  }
}

/**
 * A novel fault: something no known signature explains. Four variants, each a fault kind of the world: slow name
 * lookups (latency only), clock skew rejecting tokens (errors without a change), a partition of one call, a zone cut
 * off (several services at once).
 */
function novel(s: Scene, onset: number, ramp: number): Fault {
  const { rng } = s;
  const http = s.topo.services.filter((x) => x.kind === 'service');
  const calling = http.filter((x) => x.dependsOn.some((d) => s.byName.get(d)?.kind !== 'external'));
  const base = { scenario: 'generated-novel', startAt: idxSec(s, onset) * 1000 };
  const rampMs = ramp * STEP * 1000;
  const out = (kind: NovelKind, affected: string[], paged: string, alertname: string, world: WorldFault): Fault => ({
    category: 'novel',
    root: null,
    cause: null,
    paged,
    alertname,
    affected,
    world: [{ ...base, ...world, kind }],
  });
  const variant = rng.pick(['latency_only', 'errors_no_change', 'edge_partition', 'regional'] as const);
  if (variant === 'edge_partition' && calling.length) {
    const p = rng.pick(calling);
    const dep = rng.pick(p.dependsOn.filter((d) => s.byName.get(d)?.kind !== 'external'));
    const [paged] = choosePaged(s, p.name, 0.6);
    return out('network_partition', [p.name, dep], paged, 'HighErrorRate', {
      ...base,
      kind: 'network_partition',
      service: dep,
      from: p.name,
      params: { failure: rng.logFloat(0.06, 0.6), latency: rng.float(1, 4), rampMs },
    });
  }
  if (variant === 'regional') {
    const hit = rng.shuffle(http.map((x) => x.name)).slice(0, rng.int(2, Math.min(5, http.length)));
    const params: Record<string, number> = { rampMs };
    for (const x of hit) {
      params[`errorRatio:${x}`] = rng.logFloat(0.02, 0.15);
      params[`latency:${x}`] = rng.chance(0.5) ? rng.float(0.5, 3) : 0;
    }
    const zone = rng.pick(['a', 'b', 'c']);
    return out('zone_partition', hit, rng.pick(hit), 'HighErrorRate', {
      ...base,
      kind: 'zone_partition',
      service: hit[0]!,
      text: { services: hit.join(','), zone },
      params,
    });
  }
  if (variant === 'latency_only') {
    // The resolver answers slowly for one service's lookups: each of its calls waits seconds, none fails.
    const p = rng.pick(calling.length ? calling : http);
    const edges = p.dependsOn.length
      ? p.dependsOn.map((d) => `${p.name}>${d}`)
      : (s.callers.get(p.name) ?? []).map((c) => `${c}>${p.name}`);
    const [paged] = choosePaged(s, p.name, 0.6);
    return out('dns_failure', [p.name], paged, 'HighLatencyP99', {
      ...base,
      kind: 'dns_failure',
      service: p.name,
      text: { edges: edges.join(',') },
      params: { failure: 0, latency: rng.float(1.5, 6) / Math.max(1, edges.length), rampMs },
    });
  }
  const p = rng.pick(http).name;
  const [paged] = choosePaged(s, p, 0.5);
  return out('clock_skew', [p], paged, 'HighErrorRate', {
    ...base,
    kind: 'clock_skew',
    service: p,
    params: { errorRatio: rng.logFloat(0.03, 0.4), driftMs: rng.int(200, 4000), rampMs },
  });
}

/** One fault of `category` on the scene, from the window's point `onset`, rising over `ramp` points. */
export function planFault(s: Scene, category: Category, onset: number, ramp: number): Fault {
  if (onset >= N) throw new Error(`onset ${onset} is past the window's ${N} points`);
  return category === 'novel' ? novel(s, onset, ramp) : known(s, category, onset, ramp);
}
