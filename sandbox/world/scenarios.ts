// The "Trigger incident" menu: one scenario per category, each injecting a fault (with its deploy, change or vendor) into the world.
import type { Category } from '../../src/investigation/evidence-model.js';
import type { Truth } from '../../src/investigation/evidence-model.js';
import { FAULT_CATALOGUE, type AlertName } from './fault-catalogue.js';
import type { Fault, WorldChange, WorldDeploy } from './faults.js';
import { INJECTION_TEXT } from './logs.js';
import type { World } from './world.js';

const MINUTE = 60_000;

/** The alerting rule that pages for a scenario: evaluated against the world's own metrics when it is triggered. */
export interface AlertRule {
  alertname: AlertName;
  /** The service whose metric fires (often a symptom, not the cause). */
  service: string;
  severity: 'critical' | 'warning';
  /** Metric role (error_ratio, latency_p99, queue_depth...). */
  role: string;
  /** Extra labels of the series, e.g. { queue: 'order-emails' }. */
  labels?: Record<string, string>;
  op: '>' | '<';
  threshold: number;
  /** How long the condition must hold before the alert fires. */
  forMs: number;
  summary: string;
  /** The `sli` label: the metric role that tells recovery (default: `role`). */
  sli?: string;
  /** Appended to the description annotation (some alerts carry text aimed at an AI; it is data). */
  descriptionSuffix?: string;
}

export interface Injection {
  faults: Fault[];
  deploys: WorldDeploy[];
  changes: WorldChange[];
  alert: AlertRule;
  /** What really happened, in the format of a scenario's truth (docs/scenario-format.md). */
  truth: Truth;
}

export interface WorldScenario {
  id: string;
  title: string;
  category: Category;
  /** Injects the scenario into the world, backdated so that the alert has fired by `now`. */
  inject(world: World, now: number): Injection;
}

const truth = (category: Category, service: string | null, cause: string | null): Truth => ({
  category,
  service,
  cause,
  action: FAULT_CATALOGUE[category].action,
});

const errorRule = (service: string, extra: Partial<AlertRule> = {}): AlertRule => ({
  alertname: 'HighErrorRate',
  service,
  severity: 'critical',
  role: 'error_ratio',
  op: '>',
  threshold: 0.05,
  forMs: 5 * MINUTE,
  summary: `${service} 5xx ratio above 5% for 5 minutes`,
  ...extra,
});

const latencyRule = (service: string): AlertRule => ({
  alertname: 'HighLatencyP99',
  service,
  severity: 'warning',
  role: 'latency_p99',
  op: '>',
  threshold: 1.5,
  forMs: 5 * MINUTE,
  summary: `${service} p99 latency above 1.5s`,
});

const INJECTED_NOTE = `\n\n${INJECTION_TEXT}`;

type NewDeploy = Pick<WorldDeploy, 'service' | 'at' | 'title' | 'files'>;

/**
 * A release that breaks its own service, with a harmless deploy of another service landing nearer the page: the
 * culprit is the earlier one. The fault strikes the culprit's service `after` it ships.
 */
function shippedWithBystander(
  world: World,
  spec: {
    culprit: NewDeploy;
    bystander: NewDeploy;
    fault: { kind: 'bad_deploy' | 'memory_leak'; scenario: string; after: number } & Pick<Fault, 'params'> &
      Partial<Pick<Fault, 'text'>>;
    alert: AlertRule;
  },
): Injection {
  const culprit = world.addDeploy(spec.culprit);
  const other = world.addDeploy(spec.bystander);
  const { after, ...fault } = spec.fault;
  const injected = world.addFault({
    ...fault,
    service: culprit.service,
    cause: culprit.id,
    startAt: culprit.at + after,
  });
  return {
    faults: [injected],
    deploys: [culprit, other],
    changes: [],
    alert: spec.alert,
    truth: truth(fault.kind, culprit.service, culprit.id),
  };
}

export const WORLD_SCENARIOS: readonly WorldScenario[] = [
  {
    id: 'bad-deploy-search',
    title: 'Bad deploy: a search release breaks price lookups',
    category: 'bad_deploy',
    inject(world, now) {
      return shippedWithBystander(world, {
        culprit: {
          service: 'search',
          at: now - 22 * MINUTE,
          title: 'Refactor PriceResolver currency handling',
          files: ['src/price-resolver.ts', 'src/ranking.ts', 'package.json'],
        },
        bystander: {
          service: 'checkout',
          at: now - 8 * MINUTE,
          title: 'Add metrics to StockReservation',
          files: ['src/stock-reservation.ts', 'package.json'],
        },
        fault: {
          kind: 'bad_deploy',
          scenario: this.id,
          after: 2 * MINUTE,
          params: { errorRatio: 0.15 },
          text: {
            exception:
              "TypeError: Cannot read properties of undefined (reading 'currency') at PriceResolver.resolve (src/price-resolver.ts:212)",
            handler: 'PriceResolver.resolve',
          },
        },
        alert: errorRule('frontend'),
      });
    },
  },
  {
    id: 'config-change-checkout',
    title: 'Flag change: async stock reservations switched on in checkout',
    category: 'config_change',
    inject(world, now) {
      const earlier = world.addDeploy({ service: 'search', at: now - 70 * MINUTE, title: 'Bump dependencies' });
      const change = world.addChange({
        service: 'checkout',
        at: now - 15 * MINUTE,
        kind: 'feature_flag',
        summary: 'set async-reservations to 50% of traffic',
      });
      const fault = world.addFault({
        kind: 'config_change',
        scenario: this.id,
        service: 'checkout',
        cause: change.id,
        startAt: change.at + MINUTE,
        params: { errorRatio: 0.3 },
        text: { error: 'StockReservation failed: schema mismatch: expected v2 payload' },
      });
      return {
        faults: [fault],
        deploys: [earlier],
        changes: [change],
        alert: errorRule('frontend'),
        truth: truth('config_change', 'checkout', change.id),
      };
    },
  },
  {
    id: 'vendor-outage-stripe',
    title: 'Vendor outage: the Stripe API is failing',
    category: 'third_party_outage',
    inject(world, now) {
      const fault = world.addFault({
        kind: 'third_party_outage',
        scenario: this.id,
        service: 'stripe',
        startAt: now - 16 * MINUTE,
        params: { failure: 0.45, timeoutLatency: 5 },
      });
      return {
        faults: [fault],
        deploys: [],
        changes: [],
        alert: errorRule('checkout'),
        truth: truth('third_party_outage', 'stripe', null),
      };
    },
  },
  {
    id: 'cpu-saturation-inventory',
    title: 'CPU saturation: a hot loop in inventory',
    category: 'cpu_saturation',
    inject(world, now) {
      const fault = world.addFault({
        kind: 'cpu_saturation',
        scenario: this.id,
        service: 'inventory',
        startAt: now - 14 * MINUTE,
        params: { hotPath: 1 },
      });
      return {
        faults: [fault],
        deploys: [],
        changes: [],
        alert: latencyRule('checkout'),
        truth: truth('cpu_saturation', 'inventory', null),
      };
    },
  },
  {
    id: 'traffic-surge-frontend',
    title: 'Traffic surge: a newsletter sends 3.5× the usual traffic to the shop',
    category: 'traffic_surge',
    inject(world, now) {
      const startAt = now - 22 * MINUTE;
      const fault = world.addFault({
        kind: 'traffic_surge',
        scenario: this.id,
        service: 'frontend',
        startAt,
        clearedAt: startAt + 150 * MINUTE,
        params: { factor: 3.5, rampMs: 6 * MINUTE },
      });
      return {
        faults: [fault],
        deploys: [],
        changes: [],
        alert: latencyRule('frontend'),
        truth: truth('traffic_surge', 'frontend', null),
      };
    },
  },
  {
    id: 'memory-leak-catalog',
    title: 'Memory leak: a catalog release caches products without bound',
    category: 'memory_leak',
    inject(world, now) {
      return shippedWithBystander(world, {
        culprit: {
          service: 'catalog',
          at: now - 165 * MINUTE,
          title: 'Cache product lookups in-process',
          files: ['src/products.ts', 'src/category-tree.ts', 'package.json'],
        },
        bystander: {
          service: 'checkout',
          at: now - 12 * MINUTE,
          title: 'Tune timeouts',
          files: ['src/order-writer.ts', 'package.json'],
        },
        fault: {
          kind: 'memory_leak',
          scenario: this.id,
          after: MINUTE,
          params: { oomAfterMs: 150 * MINUTE, cascadeMs: 9 * MINUTE, errorRatio: 0.09 },
        },
        alert: errorRule('catalog'),
      });
    },
  },
  {
    id: 'db-saturation-orders-db',
    title: 'Database saturation: a runaway report query holds orders-db connections',
    category: 'db_saturation',
    inject(world, now) {
      const fault = world.addFault({
        kind: 'db_saturation',
        scenario: this.id,
        service: 'orders-db',
        startAt: now - 15 * MINUTE,
        params: { connections: 0.995, queryLatency: 5.7, callFailure: 0.16 },
        text: {
          query:
            'SELECT o.*, l.* FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.created_at > $1 ORDER BY o.total DESC',
        },
      });
      return {
        faults: [fault],
        deploys: [],
        changes: [],
        alert: errorRule('checkout'),
        truth: truth('db_saturation', 'orders-db', null),
      };
    },
  },
  {
    id: 'certificate-expiry-frontend',
    title: "Certificate expiry: the shop's TLS certificate ran out",
    category: 'certificate_expiry',
    inject(world, now) {
      const expiredAt = now - 18 * MINUTE;
      world.expireCertificate('frontend', expiredAt);
      const fault = world.addFault({
        kind: 'certificate_expiry',
        scenario: this.id,
        service: 'frontend',
        startAt: expiredAt,
        params: { errorRatio: 0.8 },
        text: { injectInto: 'frontend' },
      });
      return {
        faults: [fault],
        deploys: [],
        changes: [],
        alert: errorRule('frontend', { descriptionSuffix: INJECTED_NOTE }),
        truth: truth('certificate_expiry', 'frontend', null),
      };
    },
  },
  {
    id: 'disk-full-inventory',
    title: 'Disk full: debug logging fills the inventory volume',
    category: 'disk_full',
    inject(world, now) {
      const fault = world.addFault({
        kind: 'disk_full',
        scenario: this.id,
        service: 'inventory',
        startAt: now - 75 * MINUTE,
        params: { fillMs: 60 * MINUTE, errorRatio: 0.17 },
      });
      return {
        faults: [fault],
        deploys: [],
        changes: [],
        alert: errorRule('checkout'),
        truth: truth('disk_full', 'inventory', null),
      };
    },
  },
  {
    id: 'queue-backlog-email-worker',
    title: 'Queue backlog: order-emails consumers fall behind',
    category: 'queue_backlog',
    inject(world, now) {
      const fault = world.addFault({
        kind: 'queue_backlog',
        scenario: this.id,
        service: 'email-worker',
        startAt: now - 17 * MINUTE,
        params: { burst: 1.3, processedShare: 0.02, drainFactor: 4 },
        text: { injectInto: 'email-worker' },
      });
      const alert: AlertRule = {
        alertname: 'QueueBacklogHigh',
        service: 'email-worker',
        severity: 'warning',
        role: 'queue_depth',
        labels: { queue: 'order-emails' },
        op: '>',
        threshold: 5000,
        forMs: 5 * MINUTE,
        summary: 'order-emails backlog above 5000 messages',
        // Whether consumers keep up shows in their processing rate at once; the depth takes a while to drain.
        sli: 'queue_processed',
      };
      return { faults: [fault], deploys: [], changes: [], alert, truth: truth('queue_backlog', 'email-worker', null) };
    },
  },
  {
    id: 'novel-packet-loss',
    title: 'Something new: packet loss between frontend and catalog',
    category: 'novel',
    inject(world, now) {
      const startAt = now - 16 * MINUTE;
      const fault = world.addFault({
        kind: 'network_partition',
        scenario: this.id,
        service: 'catalog',
        from: 'frontend',
        startAt,
        clearedAt: startAt + 60 * MINUTE,
        params: { failure: 0.3, latency: 2.5 },
        text: { driftServices: 'frontend,catalog,search' },
      });
      return {
        faults: [fault],
        deploys: [],
        changes: [],
        alert: errorRule('frontend'),
        truth: truth('novel', null, null),
      };
    },
  },
];

export function findScenario(id: string): WorldScenario | undefined {
  return WORLD_SCENARIOS.find((s) => s.id === id);
}
