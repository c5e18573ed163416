// The simulated production world's shape: an online shop's services, their healthy baselines, runbooks and history.
import type { PastIncident, Runbook, ServiceNode } from '../../src/investigation/evidence-model.js';
import { runbookCatalogue } from './fault-catalogue.js';

/** Healthy levels of one service's signals; absent fields mean the service does not export that signal. */
export interface Baseline {
  /** Requests per second (services only). */
  rps?: number;
  /** Share of 5xx responses. */
  errorRatio?: number;
  /** p99 latency, seconds. */
  latencyP99?: number;
  /** CPU used over its limit, at baseline traffic and one unit of capacity. */
  cpu?: number;
  memoryBytes?: number;
  /** Value of the restarts counter when the world begins. */
  restarts?: number;
  diskFree?: number;
  /** Databases: connections in use over max. */
  dbConnections?: number;
  /** Databases: p99 query time, seconds. */
  dbQueryLatency?: number;
  /** Workers: the queue they consume, its usual depth and messages per second. */
  queue?: { name: string; depth: number; rate: number };
  /** Has a synthetic TLS probe (edge services). */
  probed?: boolean;
}

export interface WorldService extends ServiceNode {
  team?: string;
  tier: 1 | 2 | 3;
  baseline: Baseline;
  /** GitHub-style repository, used for deploy authorship and files. */
  repo?: string;
}

export interface Topology {
  name: string;
  services: WorldService[];
  runbooks: Runbook[];
  pastIncidents: PastIncident[];
  /** Source files per service, for deploys (the investigator may read them). */
  files: Record<string, string[]>;
  /** Engineers who deploy and change things. */
  authors: string[];
}

const MB = 1024 * 1024;

const services: WorldService[] = [
  {
    name: 'frontend',
    kind: 'service',
    team: 'web',
    tier: 1,
    dependsOn: ['checkout', 'catalog', 'search'],
    repo: 'shop/frontend',
    baseline: {
      rps: 760,
      errorRatio: 0.0024,
      latencyP99: 0.32,
      cpu: 0.34,
      memoryBytes: 520 * MB,
      restarts: 2,
      diskFree: 0.68,
      probed: true,
    },
  },
  {
    name: 'checkout',
    kind: 'service',
    team: 'commerce',
    tier: 1,
    dependsOn: ['payments', 'inventory', 'orders-db'],
    repo: 'shop/checkout',
    baseline: {
      rps: 125,
      errorRatio: 0.0021,
      latencyP99: 0.29,
      cpu: 0.27,
      memoryBytes: 610 * MB,
      restarts: 1,
      diskFree: 0.71,
      probed: true,
    },
  },
  {
    name: 'payments',
    kind: 'service',
    team: 'commerce',
    tier: 1,
    dependsOn: ['stripe', 'payments-db'],
    repo: 'shop/payments',
    baseline: {
      rps: 96,
      errorRatio: 0.0022,
      latencyP99: 0.36,
      cpu: 0.24,
      memoryBytes: 480 * MB,
      restarts: 3,
      diskFree: 0.64,
    },
  },
  {
    name: 'inventory',
    kind: 'service',
    team: 'commerce',
    tier: 2,
    dependsOn: ['inventory-db'],
    repo: 'shop/inventory',
    baseline: {
      rps: 210,
      errorRatio: 0.0024,
      latencyP99: 0.19,
      cpu: 0.29,
      memoryBytes: 450 * MB,
      restarts: 0,
      diskFree: 0.59,
    },
  },
  {
    name: 'catalog',
    kind: 'service',
    team: 'catalog',
    tier: 2,
    dependsOn: ['catalog-db'],
    repo: 'shop/catalog',
    baseline: {
      rps: 430,
      errorRatio: 0.003,
      latencyP99: 0.22,
      cpu: 0.31,
      memoryBytes: 700 * MB,
      restarts: 2,
      diskFree: 0.66,
    },
  },
  {
    name: 'search',
    kind: 'service',
    team: 'catalog',
    tier: 2,
    dependsOn: ['catalog'],
    repo: 'shop/search',
    baseline: {
      rps: 62,
      errorRatio: 0.0025,
      latencyP99: 0.41,
      cpu: 0.26,
      memoryBytes: 470 * MB,
      restarts: 1,
      diskFree: 0.62,
    },
  },
  {
    name: 'email-worker',
    kind: 'worker',
    team: 'commerce',
    tier: 3,
    dependsOn: ['sendgrid'],
    repo: 'shop/email-worker',
    baseline: {
      cpu: 0.18,
      memoryBytes: 300 * MB,
      restarts: 4,
      diskFree: 0.73,
      queue: { name: 'order-emails', depth: 40, rate: 35 },
    },
  },
  {
    name: 'orders-db',
    kind: 'database',
    team: 'commerce',
    tier: 1,
    dependsOn: [],
    baseline: {
      cpu: 0.19,
      memoryBytes: 3900 * MB,
      restarts: 0,
      diskFree: 0.57,
      dbConnections: 0.36,
      dbQueryLatency: 0.006,
    },
  },
  {
    name: 'payments-db',
    kind: 'database',
    team: 'commerce',
    tier: 1,
    dependsOn: [],
    baseline: {
      cpu: 0.16,
      memoryBytes: 3100 * MB,
      restarts: 1,
      diskFree: 0.61,
      dbConnections: 0.29,
      dbQueryLatency: 0.005,
    },
  },
  {
    name: 'inventory-db',
    kind: 'database',
    team: 'commerce',
    tier: 2,
    dependsOn: [],
    baseline: {
      cpu: 0.21,
      memoryBytes: 2600 * MB,
      restarts: 0,
      diskFree: 0.52,
      dbConnections: 0.27,
      dbQueryLatency: 0.007,
    },
  },
  {
    name: 'catalog-db',
    kind: 'database',
    team: 'catalog',
    tier: 2,
    dependsOn: [],
    baseline: {
      cpu: 0.23,
      memoryBytes: 4200 * MB,
      restarts: 2,
      diskFree: 0.55,
      dbConnections: 0.33,
      dbQueryLatency: 0.008,
    },
  },
  { name: 'stripe', kind: 'external', tier: 1, dependsOn: [], baseline: {} },
  { name: 'sendgrid', kind: 'external', tier: 3, dependsOn: [], baseline: {} },
];

/** The runbooks of the simulator's catalogue under their first names (rb-high-error-rate, rb-latency, ...). */
const runbooks: Runbook[] = runbookCatalogue(0);

const pastIncidents: PastIncident[] = [
  {
    id: 'INC-1478',
    title: 'payments degraded',
    service: 'payments',
    category: 'config_change',
    openedAt: '2026-03-18T17:45:00Z',
    rootCause: 'config change on payments: retry budget set to 0',
    remediation: 'revert_change',
  },
  {
    id: 'INC-1603',
    title: 'checkout errors after release',
    service: 'checkout',
    category: 'bad_deploy',
    openedAt: '2026-05-02T10:12:00Z',
    rootCause: 'bad deploy of checkout: nil pointer in CartService',
    remediation: 'rollback_deploy',
  },
  {
    id: 'INC-1859',
    title: 'checkout degraded',
    service: 'orders-db',
    category: 'db_saturation',
    openedAt: '2026-06-08T17:45:00Z',
    rootCause: 'db saturation on orders-db: reporting query without index',
    remediation: 'terminate_slow_queries',
  },
  {
    id: 'INC-1990',
    title: 'payment failures',
    service: 'stripe',
    category: 'third_party_outage',
    openedAt: '2026-07-21T14:03:00Z',
    rootCause: 'stripe API partial outage',
    remediation: 'enable_fallback',
  },
  {
    id: 'INC-2044',
    title: 'order emails delayed',
    service: 'email-worker',
    category: 'queue_backlog',
    openedAt: '2026-08-30T06:40:00Z',
    rootCause: 'email-worker consumers crash-looping on a malformed message',
    remediation: 'scale_consumers',
  },
  {
    id: 'INC-2131',
    title: 'search timeouts at peak',
    service: 'search',
    category: 'traffic_surge',
    openedAt: '2026-10-04T19:20:00Z',
    rootCause: 'traffic surge from a newsletter campaign',
    remediation: 'scale_out',
  },
];

const files: Record<string, string[]> = {
  frontend: ['src/pages/product.tsx', 'src/pages/cart.tsx', 'src/lib/session-store.ts', 'src/lib/search-client.ts'],
  checkout: ['src/cart-service.ts', 'src/stock-reservation.ts', 'src/order-writer.ts', 'src/tax-calculator.ts'],
  payments: ['src/charge.ts', 'src/stripe-client.ts', 'src/refunds.ts', 'src/ledger-writer.ts'],
  inventory: ['src/stock.ts', 'src/reservations.ts', 'src/warehouse-sync.ts'],
  catalog: ['src/products.ts', 'src/price-resolver.ts', 'src/category-tree.ts'],
  search: ['src/query-parser.ts', 'src/price-resolver.ts', 'src/ranking.ts', 'src/result-cache.ts'],
  'email-worker': ['src/consumer.ts', 'src/templates.ts', 'src/sendgrid-client.ts'],
};

/** The world the local workspace runs: an online shop. */
export const SHOP_TOPOLOGY: Topology = {
  name: 'shop',
  services,
  runbooks,
  pastIncidents,
  files,
  authors: ['alice', 'bob', 'chen', 'dana', 'emeka', 'farah'],
};

/** Services that call `name` directly. */
export function callersOf(topology: Topology, name: string): WorldService[] {
  return topology.services.filter((s) => s.dependsOn.includes(name));
}

export function serviceOf(topology: Topology, name: string): WorldService | undefined {
  return topology.services.find((s) => s.name === name);
}

/** Services `from` reaches through dependsOn, with one path to each. */
export function descendants(services: readonly ServiceNode[], from: string): Map<string, string[]> {
  const byName = new Map(services.map((s) => [s.name, s]));
  const out = new Map<string, string[]>([[from, [from]]]);
  const queue = [from];
  while (queue.length) {
    const s = queue.shift()!;
    for (const d of byName.get(s)?.dependsOn ?? []) {
      if (out.has(d)) continue;
      out.set(d, [...out.get(s)!, d]);
      queue.push(d);
    }
  }
  return out;
}
