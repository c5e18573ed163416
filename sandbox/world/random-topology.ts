// Random service graphs for generated scenarios (the shop, topology.ts, is the live world's fixed one): layered call graphs of 5..25 services with databases, workers and vendors.
import type { ServiceNode } from '../../src/investigation/evidence-model.js';
import type { Random } from './random.js';

const DOMAINS = [
  'cart',
  'billing',
  'ledger',
  'search',
  'catalog',
  'inventory',
  'orders',
  'profile',
  'media',
  'stream',
  'identity',
  'pricing',
  'quotes',
  'shipping',
  'tracking',
  'reviews',
  'ratings',
  'feeds',
  'ads',
  'rewards',
  'wallet',
  'risk',
  'fraud',
  'kyc',
  'onboarding',
  'reports',
  'exports',
  'sync',
  'graph',
  'session',
  'tokens',
  'uploads',
  'thumbnails',
  'transcode',
  'playlist',
  'geo',
  'maps',
  'routing',
  'dispatch',
  'drivers',
  'riders',
  'menu',
  'kitchen',
  'tickets',
  'seats',
  'events',
  'chat',
  'presence',
  'mentions',
  'loyalty',
  'coupons',
  'tax',
  'invoices',
  'payouts',
  'accounts',
  'consent',
  'audit',
  'claims',
];
const SUFFIXES = ['', '', '-api', '-svc', '-core', '-service', '-v2', '-backend'];
const ENTRIES = ['gateway', 'web-api', 'edge', 'bff', 'storefront', 'mobile-api', 'public-api', 'frontend', 'portal'];
const VENDORS = [
  'stripe',
  'twilio',
  'sendgrid',
  'auth0',
  'onfido',
  'adyen',
  'mapbox',
  'segment',
  'plaid',
  'checkr',
  'algolia',
  'okta',
  'braintree',
  'mailgun',
  'contentful',
];
const TEAMS = ['web', 'core', 'payments', 'growth', 'platform', 'data', 'identity', 'fulfilment', 'media', 'risk'];

/** A generated graph, with each service's distance from the entry points (its depth). */
export interface GeneratedTopology {
  services: ServiceNode[];
  depth: Map<string, number>;
  /** Queue consumed by each worker. */
  queues: Map<string, string>;
}

export function buildTopology(rng: Random, size: number): GeneratedTopology {
  const used = new Set<string>();
  const uniq = (base: string) => {
    let n = base;
    for (let i = 2; used.has(n); i++) n = `${base}-${i}`;
    used.add(n);
    return n;
  };
  const nVendors = rng.int(1, Math.min(3, Math.max(1, Math.floor(size / 6))));
  const nWorkers = rng.int(size >= 8 ? 1 : 0, Math.min(3, Math.floor(size / 6) + 1));
  const nDbs = Math.max(1, Math.round(size * rng.float(0.15, 0.25)));
  const nEntries = size >= 12 && rng.chance(0.4) ? 2 : 1;
  const nMid = Math.max(1, size - nVendors - nWorkers - nDbs - nEntries);
  const maxDepth = Math.min(nMid + 1, rng.int(2, 5));

  const services: ServiceNode[] = [];
  const depth = new Map<string, number>();
  const team = () => rng.pick(TEAMS);
  const entries = rng.shuffle(ENTRIES).slice(0, nEntries).map(uniq);
  for (const e of entries) {
    services.push({ name: e, kind: 'service', team: team(), tier: 1, dependsOn: [] });
    depth.set(e, 0);
  }
  const domains = rng.shuffle(DOMAINS);
  const mids: string[] = [];
  for (let i = 0; i < nMid; i++) {
    const name = uniq(`${domains[i % domains.length]}${rng.pick(SUFFIXES)}`);
    mids.push(name);
    // Guarantee every level up to maxDepth is populated, then spread the rest.
    const d = i < maxDepth ? i + 1 : rng.int(1, maxDepth);
    depth.set(name, d);
    services.push({ name, kind: 'service', team: team(), tier: d <= 1 ? 1 : d <= 3 ? 2 : 3, dependsOn: [] });
  }
  const byName = new Map(services.map((s) => [s.name, s]));
  const atDepth = (d: number) =>
    services.filter((s) => s.kind === 'service' && depth.get(s.name) === d).map((s) => s.name);
  // Each mid service gets a caller one level up; then some extra edges downward.
  for (const m of mids) {
    const d = depth.get(m)!;
    const upper = d === 1 ? entries : atDepth(d - 1);
    const caller = rng.pick(upper.length ? upper : entries);
    byName.get(caller)!.dependsOn.push(m);
  }
  for (const s of services) {
    const d = depth.get(s.name)!;
    const lower = mids.filter((m) => depth.get(m)! > d && !s.dependsOn.includes(m));
    const extra = rng.int(0, 2);
    for (let i = 0; i < extra && lower.length; i++) {
      const m = rng.pick(lower);
      if (!s.dependsOn.includes(m)) s.dependsOn.push(m);
    }
  }
  const queues = new Map<string, string>();
  const workers: string[] = [];
  for (let i = 0; i < nWorkers; i++) {
    const base = `${domains[(nMid + i) % domains.length]}`;
    const name = uniq(`${base}-${rng.pick(['worker', 'consumer', 'jobs', 'indexer'])}`);
    workers.push(name);
    queues.set(name, `${base}-${rng.pick(['events', 'jobs', 'tasks', 'updates'])}`);
    depth.set(name, 1);
    services.push({ name, kind: 'worker', team: team(), tier: 2, dependsOn: [] });
  }
  const dbOwners = rng.shuffle([...mids, ...workers]);
  for (let i = 0; i < nDbs; i++) {
    const owner = dbOwners[i % dbOwners.length]!;
    const name = uniq(`${owner.replace(/-(api|svc|core|service|v2|backend|worker|consumer|jobs|indexer)$/, '')}-db`);
    services.push({ name, kind: 'database', team: 'platform', tier: 1, dependsOn: [] });
    depth.set(name, (depth.get(owner) ?? 1) + 1);
    services.find((s) => s.name === owner)!.dependsOn.push(name);
    if (rng.chance(0.3)) {
      const other = rng.pick(dbOwners);
      const o = services.find((s) => s.name === other)!;
      if (!o.dependsOn.includes(name)) o.dependsOn.push(name);
    }
  }
  for (const v of rng.shuffle(VENDORS).slice(0, nVendors)) {
    const name = uniq(v);
    services.push({ name, kind: 'external', team: 'vendor', tier: 2, dependsOn: [] });
    const callers = rng.shuffle([...mids, ...workers]).slice(0, rng.int(1, 2));
    for (const c of callers) services.find((s) => s.name === c)!.dependsOn.push(name);
    depth.set(name, Math.max(...callers.map((c) => depth.get(c) ?? 1)) + 1);
  }
  return { services, depth, queues };
}
