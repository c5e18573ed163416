// The world's metrics under Prometheus names: which series exist, their values, and range queries over them.
import type { Series } from '../../src/investigation/evidence-model.js';
import type { ServiceSignals } from './model.js';
import type { Topology } from './topology.js';

type Labels = Record<string, string>;

/** One metric: its role (config.metrics.roles key), Prometheus name, and how to read it from a service's signals. */
export interface WorldMetric {
  role: string;
  name: string;
  /** The series a service has for this metric at an instant: extra labels and value. */
  read(service: string, sig: ServiceSignals): Array<{ labels: Labels; value: number }>;
}

const single = (pick: (sig: ServiceSignals) => number | undefined) => (_service: string, sig: ServiceSignals) => {
  const v = pick(sig);
  return v === undefined || !Number.isFinite(v) ? [] : [{ labels: {}, value: v }];
};

/** The metric names of docs/scenario-format.md, by role (matching DEFAULT_METRIC_ROLES). */
export const WORLD_METRICS: readonly WorldMetric[] = [
  { role: 'request_rate', name: 'service:http_requests:rate5m', read: single((s) => s.rps) },
  { role: 'error_ratio', name: 'service:http_errors:ratio_rate5m', read: single((s) => s.errorRatio) },
  { role: 'latency_p99', name: 'service:http_latency_seconds:p99', read: single((s) => s.latencyP99) },
  {
    role: 'upstream_error_ratio',
    name: 'service:upstream_errors:ratio_rate5m',
    read: (_service, sig) => Object.entries(sig.upstream).map(([upstream, value]) => ({ labels: { upstream }, value })),
  },
  { role: 'cpu', name: 'container_cpu_usage:ratio', read: single((s) => s.cpu) },
  { role: 'memory', name: 'container_memory_working_set_bytes', read: single((s) => s.memoryBytes) },
  { role: 'restarts', name: 'kube_pod_container_status_restarts_total', read: single((s) => s.restarts) },
  { role: 'disk_free', name: 'node_filesystem_avail:ratio', read: single((s) => s.diskFree) },
  { role: 'db_connections', name: 'pg_connections:ratio', read: single((s) => s.dbConnections) },
  { role: 'db_query_latency_p99', name: 'pg_query_latency_seconds:p99', read: single((s) => s.dbQueryLatency) },
  {
    role: 'queue_depth',
    name: 'queue_depth',
    read: (_s, sig) => (sig.queue ? [{ labels: { queue: sig.queue.name }, value: sig.queue.depth }] : []),
  },
  {
    role: 'queue_processed',
    name: 'queue_processed:rate5m',
    read: (_s, sig) => (sig.queue ? [{ labels: { queue: sig.queue.name }, value: sig.queue.processed }] : []),
  },
  { role: 'cert_expiry', name: 'probe_ssl_earliest_cert_expiry', read: single((s) => s.certExpiry) },
  { role: 'probe_success', name: 'probe_success', read: single((s) => s.probeSuccess) },
];

export const metricByRole = (role: string) => WORLD_METRICS.find((m) => m.role === role);
export const metricByName = (name: string) => WORLD_METRICS.find((m) => m.name === name);

/** A sample as Prometheus prints it: integers exactly, other numbers to six significant digits. */
export function formatSample(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

/** Prometheus refuses range queries of more points than this. */
export const MAX_POINTS = 11_000;

export interface SeriesSource {
  topology: Topology;
  now(): number;
  signalsAt(t: number): Map<string, ServiceSignals>;
}

/**
 * Builds matrix results for one metric over [start, end] (unix ms, end capped at the world's now) for the services
 * given, keeping the series whose full label set passes `keep`.
 */
export function buildSeries(
  world: SeriesSource,
  metric: WorldMetric,
  services: string[],
  range: { start: number; end: number; stepMs: number },
  keep: (labels: Labels) => boolean = () => true,
): Series[] {
  const end = Math.min(range.end, world.now());
  const step = Math.max(1, range.stepMs);
  if (end < range.start) return [];
  if ((end - range.start) / step > MAX_POINTS)
    throw new RangeError(`exceeded maximum resolution of ${MAX_POINTS} points per timeseries`);
  // A series per service and extra labels, in the order first seen; null when `keep` refused it. The key is built
  // from the extra labels only (most metrics have none), not from a full label set per point.
  const bySeries = new Map<string, Series | null>();
  const kept: Series[] = [];
  for (let t = range.start; t <= end; t += step) {
    const signals = world.signalsAt(t);
    for (const service of services) {
      const sig = signals.get(service);
      if (!sig) continue;
      for (const { labels, value } of metric.read(service, sig)) {
        const extra = Object.keys(labels).length ? JSON.stringify(labels) : '';
        const key = `${service}\u0000${extra}`;
        let s = bySeries.get(key);
        if (s === undefined) {
          const full: Labels = { __name__: metric.name, service, ...labels };
          s = keep(full) ? { metric: full, values: [] } : null;
          bySeries.set(key, s);
          if (s) kept.push(s);
        }
        if (s) s.values.push([t / 1000, formatSample(value)]);
      }
    }
  }
  return kept;
}
