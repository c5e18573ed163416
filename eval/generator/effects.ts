// How a fault spreads through the generated window: the page's path up the call graph, callers feeling it, and the
// deploys and changes the window records.
import { CODE_CLASSES, type NovelKind } from '../../sandbox/world/fault-catalogue.js';
import { descendants } from '../../sandbox/world/topology.js';
import type { Category, Change, Deploy } from '../../src/investigation/evidence-model.js';
import { N, type World, addLogs, clamp, iso, scale, shape, towards } from './window.js';

/** Pushes a failure up from `path[k]` to the paged service `path[0]`: edges, errors and latency of each caller. */
export function propagate(
  w: World,
  path: string[],
  err: number,
  latFactor: number,
  onset: number,
  ramp: number,
  logStyle: 'http' | 'timeout' | 'tls' = 'http',
) {
  const { rng } = w;
  let e = err;
  for (let i = path.length - 2; i >= 0; i--) {
    const caller = path[i]!;
    const callee = path[i + 1]!;
    const m = w.m.get(caller)!;
    const delay = rng.int(0, 1);
    const sh = shape(onset + delay, ramp);
    const edge = m.edges.get(callee);
    if (edge) towards(rng, edge, clamp(e * rng.float(0.85, 1.1), 0, 1), sh, 0.08, 1);
    e = Math.max(e * rng.float(0.35, 0.9), rng.float(0.012, 0.04));
    if (m.err) towards(rng, m.err, e, sh, 0.1, 1);
    if (m.lat && latFactor > 1) scale(rng, m.lat, 1 + (latFactor - 1) * rng.float(0.6, 1), sh);
    if (m.processed) scale(rng, m.processed, rng.float(0.6, 0.9), sh);
    if (rng.chance(0.85)) {
      const text =
        logStyle === 'timeout'
          ? () => `upstream ${callee} failed: context deadline exceeded`
          : logStyle === 'tls'
            ? () => `request to ${callee} failed: x509: certificate has expired or is not yet valid`
            : () =>
                rng.pick([
                  `upstream ${callee} failed: 503 Service Unavailable`,
                  `request to ${callee} failed after 3 attempts: 500 Internal Server Error`,
                ]);
      addLogs(w, caller, 'error', text, onset + 1, N - 1, rng.int(4, 12));
    }
  }
}

export function otherCallersFeel(w: World, target: string, err: number, onset: number, ramp: number, path: string[]) {
  for (const c of w.callers.get(target) ?? []) {
    if (path.includes(c) || !w.m.get(c)) continue;
    const edge = w.m.get(c)!.edges.get(target);
    if (edge) towards(w.rng, edge, clamp(err * w.rng.float(0.8, 1.1), 0, 1), shape(onset, ramp), 0.08, 1);
  }
}

const TITLES = [
  'Refactor',
  'Improve logging in',
  'Add metrics to',
  'Fix flaky retry in',
  'Tune timeouts of',
  'Cache results of',
  'Bump dependencies for',
  'Simplify',
];

export function addDeploy(w: World, service: string, sec: number, cls?: string): Deploy {
  const c = cls ?? w.rng.pick(CODE_CLASSES);
  const file = `src/${c.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}.ts`;
  const d: Deploy = {
    id: `deploy-${w.rng.int(1000, 99999)}`,
    service,
    ts: iso(sec),
    sha: w.rng.hex(7),
    author: w.rng.pick(['apatel', 'jrodriguez', 'ewilson', 'mchen', 'sokafor', 'lnguyen', 'tkowalski']),
    title: `${w.rng.pick(TITLES)} ${c}`,
    files: [file, ...(w.rng.chance(0.5) ? ['package.json'] : [])],
  };
  w.deploys.push(d);
  return d;
}

export function addChange(w: World, service: string, sec: number, kind?: Change['kind']): Change {
  const k = kind ?? w.rng.pick(['feature_flag', 'config', 'infra', 'schema'] as const);
  const flag = w.rng.pick([
    'async-reservations',
    'new-ranking',
    'batch-writes',
    'edge-cache',
    'strict-validation',
    'v2-serializer',
  ]);
  const summary =
    k === 'feature_flag'
      ? `set ${flag} to ${w.rng.int(5, 100)}% of traffic`
      : k === 'config'
        ? `${w.rng.pick(['pool_size', 'timeout_ms', 'max_retries', 'batch_size'])} ${w.rng.int(2, 50)} -> ${w.rng.int(2, 50)}`
        : k === 'infra'
          ? `${w.rng.pick(['node pool resized', 'sidecar upgraded', 'ingress rules updated'])}`
          : `add column ${w.rng.pick(['region', 'tier', 'locale'])} to ${w.rng.pick(['orders', 'users', 'events'])}`;
  const c: Change = {
    id: `change-${w.rng.int(100, 9999)}`,
    kind: k,
    service,
    ts: iso(sec),
    author: w.rng.pick(['apatel', 'mchen', 'sokafor']),
    summary,
  };
  w.changes.push(c);
  return c;
}

export interface Fault {
  category: Category;
  root: string | null;
  cause: string | null;
  paged: string;
  alertname: string;
  /** Services that fail with no known cause (novel). */
  affected: string[];
  /** Novel: the world's fault kind that simulates it (a partition, a DNS failure, clock skew, a zone cut off). */
  novelKind?: NovelKind;
}

/** Services with a path from them to `target` (they call it, directly or not), with that path. */
export function ancestorsWithPath(w: World, target: string): Array<[string, string[]]> {
  const out: Array<[string, string[]]> = [];
  for (const s of w.topo.services) {
    if (!w.m.get(s.name)?.err) continue;
    const p = descendants(w.topo.services, s.name).get(target);
    if (p) out.push([s.name, p]);
  }
  return out;
}

export function choosePaged(w: World, target: string, preferSelf: number): [string, string[]] {
  const anc = ancestorsWithPath(w, target).filter(([s]) => s !== target);
  if ((w.m.get(target)?.err && w.rng.chance(preferSelf)) || anc.length === 0) return [target, [target]];
  return w.rng.pick(anc);
}
