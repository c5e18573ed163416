// The world's metrics under Prometheus names: which series exist, their values, and range queries over them.
import type { Series } from '../../src/investigation/evidence-model.js';
import type { ServiceSignals } from './model.js';

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

/** One series of a metric over a range's points: its extra labels (and them as a key), and its sample at each point. */
export interface Column {
  key: string;
  labels: Labels;
  /** The sample as Prometheus prints it at each point; null where the series had none. */
  texts: Array<string | null>;
}

/** The points of a range: `count` instants from `start`, `stepMs` apart. */
export interface Points {
  start: number;
  stepMs: number;
  count: number;
}

/** A metric's series of one service at each point, read from the signals at each point's instant. */
export function readColumns(
  signalsAt: (t: number) => ReadonlyMap<string, ServiceSignals>,
  metric: WorldMetric,
  service: string,
  points: Points,
): Column[] {
  const columns = new Map<string, Column>();
  for (let k = 0; k < points.count; k++) {
    const sig = signalsAt(points.start + k * points.stepMs).get(service);
    if (!sig) continue;
    for (const { labels, value } of metric.read(service, sig)) {
      const key = Object.keys(labels).length ? JSON.stringify(labels) : '';
      let c = columns.get(key);
      if (!c) columns.set(key, (c = { key, labels, texts: new Array<string | null>(points.count).fill(null) }));
      c.texts[k] = formatSample(value);
    }
  }
  return [...columns.values()];
}

export interface SeriesSource {
  now(): number;
  /** readColumns over the world's signals (a world may keep them: the same points read the same scrapes). */
  columns(metric: WorldMetric, service: string, points: Points): readonly Column[];
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
  const stepMs = Math.max(1, range.stepMs);
  if (end < range.start) return [];
  if ((end - range.start) / stepMs > MAX_POINTS)
    throw new RangeError(`exceeded maximum resolution of ${MAX_POINTS} points per timeseries`);
  const points = { start: range.start, stepMs, count: Math.floor((end - range.start) / stepMs) + 1 };
  const kept: Series[] = [];
  for (const service of services)
    for (const { labels, texts } of world.columns(metric, service, points)) {
      const full: Labels = { __name__: metric.name, service, ...labels };
      if (!keep(full)) continue;
      const values: Array<[number, string]> = [];
      texts.forEach((text, k) => {
        if (text !== null) values.push([(points.start + k * stepMs) / 1000, text]);
      });
      kept.push({ metric: full, values });
    }
  return kept;
}
