// Generator B (issue 11): a second, independently written incident generator. It shares no code with eval/generator/
// or the simulator: its own random source, topologies (depths 3-6, fan-in and fan-out, shared databases, vendors),
// a per-minute model of traffic, errors, latency and resources propagated up the call graph, and its own noise
// (diurnal traffic, heavy-tailed latency, per-pod series, sawtooth memory, scrape gaps, missing series).

/** mulberry32: small, seedable, good enough for test data. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  float(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  int(lo: number, hi: number): number {
    return Math.floor(this.float(lo, hi + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    if (!xs.length) throw new Error('pick from an empty list');
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  shuffle<T>(xs: readonly T[]): T[] {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }
  normal(): number {
    const u = Math.max(1e-12, this.next());
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  /** Log-uniform between lo and hi. */
  logFloat(lo: number, hi: number): number {
    return Math.exp(this.float(Math.log(lo), Math.log(hi)));
  }
  /** A Pareto draw >= 1 (heavy tail). */
  pareto(alpha: number): number {
    return Math.pow(Math.max(1e-9, 1 - this.next()), -1 / alpha);
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(this.next() * 16)];
    return s;
  }
}

export type Kind = 'service' | 'worker' | 'database' | 'external';
export interface Node {
  name: string;
  kind: Kind;
  team: string;
  tier: 1 | 2 | 3;
  dependsOn: string[];
  depth: number;
}

const WORDS = [
  'ledger',
  'quote',
  'pricing',
  'routing',
  'profile',
  'identity',
  'booking',
  'fleet',
  'tariff',
  'billing',
  'settle',
  'rating',
  'claims',
  'policy',
  'geo',
  'tracking',
  'dispatch',
  'vault',
  'media',
  'thumbs',
  'feed',
  'ranker',
  'notify',
  'session',
  'cart',
  'coupon',
  'loyalty',
  'review',
  'shipment',
  'warehouse',
  'invoice',
  'audit',
  'consent',
  'kyc',
  'fx',
  'wallet',
  'payout',
  'matcher',
  'planner',
  'lookup',
];
const SUFFIX = ['', '-api', '-svc', '-core', '-engine', '-gw'];
const ENTRY = ['edge-gateway', 'public-api', 'web-bff', 'mobile-bff', 'storefront', 'portal'];
const DBS = ['pg-main', 'pg-ledger', 'mysql-orders', 'pg-accounts', 'pg-events', 'pg-catalogue'];
const VENDORS = ['twilio', 'adyen', 'mapbox', 'auth0', 'algolia', 'segment', 'plaid'];
const TEAMS = ['atlas', 'hermes', 'nova', 'orbit', 'quartz', 'zephyr', 'lumen'];

/** A layered call graph: one entry, 3-6 layers, fan-out 1-3, fan-in from earlier layers, shared databases, vendors. */
export function topology(rng: Rng): Node[] {
  const depth = rng.int(3, 6);
  const words = rng.shuffle(WORDS);
  const nodes: Node[] = [];
  const layers: Node[][] = [];
  const entry: Node = {
    name: rng.pick(ENTRY),
    kind: 'service',
    team: rng.pick(TEAMS),
    tier: 1,
    dependsOn: [],
    depth: 0,
  };
  nodes.push(entry);
  layers.push([entry]);
  for (let d = 1; d < depth; d++) {
    const width = rng.int(d === 1 ? 2 : 1, 3);
    const layer: Node[] = [];
    for (let i = 0; i < width; i++) {
      const name = `${words.pop()}${rng.pick(SUFFIX)}`;
      layer.push({
        name,
        kind: 'service',
        team: rng.pick(TEAMS),
        tier: d < 2 ? 1 : rng.pick([2, 3] as const),
        dependsOn: [],
        depth: d,
      });
    }
    layers.push(layer);
    nodes.push(...layer);
  }
  // Every node of layer d is called by one of layer d-1 (so it is reachable) and maybe by another earlier node (fan-in).
  for (let d = 1; d < layers.length; d++)
    for (const n of layers[d]!) {
      const caller = rng.pick(layers[d - 1]!);
      caller.dependsOn.push(n.name);
      if (rng.chance(0.35)) {
        const other = rng.pick(layers.slice(0, d).flat());
        if (!other.dependsOn.includes(n.name)) other.dependsOn.push(n.name);
      }
    }
  const services = nodes.filter((n) => n.depth > 0);
  const dbs = rng.shuffle(DBS).slice(0, rng.int(1, 3));
  for (const db of dbs) {
    const users = rng.shuffle(services).slice(0, rng.int(1, Math.min(3, services.length)));
    for (const u of users) u.dependsOn.push(db);
    nodes.push({ name: db, kind: 'database', team: 'dba', tier: 1, dependsOn: [], depth: depth });
  }
  for (const v of rng.shuffle(VENDORS).slice(0, rng.int(1, 2))) {
    const u = rng.pick(services);
    u.dependsOn.push(v);
    nodes.push({ name: v, kind: 'external', team: 'vendor', tier: 2, dependsOn: [], depth: depth });
  }
  if (rng.chance(0.6)) {
    const w: Node = {
      name: `${words.pop()}-worker`,
      kind: 'worker',
      team: rng.pick(TEAMS),
      tier: 3,
      dependsOn: [],
      depth: depth - 1,
    };
    const db = nodes.find((n) => n.kind === 'database');
    if (db) w.dependsOn.push(db.name);
    nodes.push(w);
  }
  // A database no one calls would be noise in the graph: give it a caller.
  for (const n of nodes)
    if ((n.kind === 'database' || n.kind === 'external') && !nodes.some((m) => m.dependsOn.includes(n.name)))
      rng.pick(services).dependsOn.push(n.name);
  return nodes;
}

/** Every service `name` calls, directly or not. */
export function below(nodes: Node[], name: string): Set<string> {
  const by = new Map(nodes.map((n) => [n.name, n]));
  const out = new Set<string>();
  const go = (s: string) => {
    for (const d of by.get(s)?.dependsOn ?? [])
      if (!out.has(d)) {
        out.add(d);
        go(d);
      }
  };
  go(name);
  return out;
}

/** A call path from `from` down to `to` (inclusive), or undefined. */
export function pathTo(nodes: Node[], from: string, to: string): string[] | undefined {
  const by = new Map(nodes.map((n) => [n.name, n]));
  const go = (s: string, seen: Set<string>): string[] | undefined => {
    if (s === to) return [s];
    for (const d of by.get(s)?.dependsOn ?? []) {
      if (seen.has(d)) continue;
      seen.add(d);
      const p = go(d, seen);
      if (p) return [s, ...p];
    }
    return undefined;
  };
  return go(from, new Set([from]));
}

export const N = 181;
export const zeros = () => new Array<number>(N).fill(0);
export const ones = () => new Array<number>(N).fill(1);

/** A rise from 0 to 1 starting at `at`, reaching 1 after `ramp` minutes. */
export function step(at: number, ramp = 1): number[] {
  return Array.from({ length: N }, (_, i) => (i < at ? 0 : Math.min(1, (i - at + 1) / Math.max(1, ramp))));
}
