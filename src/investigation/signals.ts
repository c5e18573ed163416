// Per-service signals by metric role: each series' departure from its own baseline, and the resource signatures read from them.
import { detectDeparture, toPoints, type Departure } from './change-point.js';
import type { MetricsSource, StepRecorder, TimeRange } from './ports.js';
import type { ServiceNode, Series } from './evidence-model.js';
import { formatRoleValue } from './format-value.js';
import { formatTimeOfDay } from '../../lib/wall-clock.js';

/** A series' selector as written in evidence: `name{label="value",...}` in the series' own label order. */
function seriesSelector(series: Series): string {
  const labels = Object.entries(series.metric).filter(([k]) => k !== '__name__');
  return `${series.metric.__name__}{${labels.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

/** One series of one role, with where (and whether) it departed from its baseline. */
export interface SeriesFinding {
  role: string;
  selector: string;
  labels: Record<string, string>;
  points: Array<[number, number]>;
  departure: Departure | null;
  /** The departure is large enough to matter for this role. */
  significant: boolean;
  last: number;
}

/** Everything the metrics say about one service. */
export interface ServiceSignals {
  service: ServiceNode;
  byRole: Map<string, SeriesFinding[]>;
  /** Series the service reports about each upstream it calls (per-edge failure ratio), by upstream name. */
  edges: Map<string, SeriesFinding>;
}

export const ROLES = [
  'request_rate',
  'error_ratio',
  'latency_p99',
  'upstream_error_ratio',
  'cpu',
  'memory',
  'restarts',
  'disk_free',
  'db_connections',
  'db_query_latency_p99',
  'queue_depth',
  'queue_processed',
  'cert_expiry',
  'probe_success',
] as const;
export type Role = (typeof ROLES)[number];

/** Symptoms: what users (or callers) feel. Resources are judged by their own signatures. */
export const SYMPTOM_ROLES: ReadonlySet<string> = new Set([
  'error_ratio',
  'latency_p99',
  'probe_success',
  'db_query_latency_p99',
  'queue_depth',
]);

function isSignificant(role: string, d: Departure | null): boolean {
  if (!d || d.score < 6) return false;
  switch (role) {
    case 'error_ratio':
    case 'upstream_error_ratio':
      return d.direction === 'up' && d.after - d.before >= 0.008 && d.ratio >= 2.5;
    case 'latency_p99':
    case 'db_query_latency_p99':
      return d.direction === 'up' && d.ratio >= 1.6;
    case 'probe_success':
      return d.direction === 'down' && d.after < 0.75;
    case 'queue_depth':
      return d.direction === 'up' && d.ratio >= 4;
    case 'queue_processed':
      return d.direction === 'down' && d.ratio <= 0.6;
    case 'request_rate':
      return Math.abs(Math.log(d.ratio)) >= Math.log(1.4);
    case 'cpu':
      return d.direction === 'up' && d.after - d.before >= 0.15;
    case 'disk_free':
      return d.direction === 'down' && d.before - d.after >= 0.1;
    case 'db_connections':
      return d.direction === 'up' && d.after - d.before >= 0.15;
    default:
      return d.ratio >= 1.5 || d.ratio <= 0.67;
  }
}

function analyse(role: string, s: Series): SeriesFinding {
  const points = toPoints(s.values);
  const floors: Record<string, { absoluteFloor?: number; relativeFloor?: number }> = {
    error_ratio: { absoluteFloor: 0.0005 },
    upstream_error_ratio: { absoluteFloor: 0.0005 },
    cpu: { absoluteFloor: 0.01 },
    disk_free: { absoluteFloor: 0.005 },
    db_connections: { absoluteFloor: 0.01 },
    probe_success: { absoluteFloor: 0.05 },
  };
  const departure = role === 'restarts' || role === 'cert_expiry' ? null : detectDeparture(points, floors[role] ?? {});
  const labels = Object.fromEntries(Object.entries(s.metric).filter(([k]) => k !== '__name__'));
  return {
    role,
    selector: seriesSelector(s),
    labels,
    points,
    departure,
    significant: isSignificant(role, departure),
    last: points.length ? points.at(-1)![1] : Number.NaN,
  };
}

/** Queries every role of every non-external service (vendors have no metrics of their own). */
export async function gatherSignals(
  services: ServiceNode[],
  metrics: MetricsSource,
  range: TimeRange,
  record: StepRecorder,
  onError: (role: string, service: string, err: unknown) => void = () => undefined,
): Promise<Map<string, ServiceSignals>> {
  const out = new Map<string, ServiceSignals>();
  for (const service of services) {
    if (service.kind === 'external') continue;
    const sig: ServiceSignals = { service, byRole: new Map(), edges: new Map() };
    for (const role of ROLES) {
      const started = Date.now();
      let series: Series[];
      try {
        series = await metrics.queryRole(role, service.name, range);
      } catch (err) {
        // One failed query is missing evidence, not a failed investigation.
        onError(role, service.name, err);
        continue;
      }
      const findings = series.map((s) => analyse(role, s));
      sig.byRole.set(role, findings);
      if (role === 'upstream_error_ratio')
        for (const f of findings) if (f.labels.upstream) sig.edges.set(f.labels.upstream, f);
      if (findings.length) {
        record({
          name: 'query_metrics',
          kind: 'query',
          startedAt: started,
          durationMs: Date.now() - started,
          attributes: {
            role,
            service: service.name,
            series: findings.length,
            result: findings.map((f) => describeFinding(f)).join('; '),
          },
        });
      }
    }
    out.set(service.name, sig);
  }
  return out;
}

/** A signal's value for people, in its role's unit (the one value formatter, format-value.ts). */
export function fmt(role: string, v: number): string {
  return formatRoleValue(role, v);
}

/**
 * A time in evidence text: "14:05 GMT+1" in the team's zone (the briefing's, the chart's), "13:05Z" when the
 * investigation has no team zone (eval, the CLI).
 */
export function hhmm(ms: number, zone = 'UTC'): string {
  return zone === 'UTC' ? `${new Date(ms).toISOString().slice(11, 16)}Z` : formatTimeOfDay(ms, zone);
}

export function describeFinding(f: SeriesFinding, zone = 'UTC'): string {
  const d = f.departure;
  if (!d) return `${f.selector}: steady at ${fmt(f.role, f.last)}`;
  return `${f.selector}: ${fmt(f.role, d.before)} -> ${fmt(f.role, d.after)} from ${hhmm(d.onset, zone)}${f.significant ? '' : ' (minor)'}`;
}

export function firstOf(sig: ServiceSignals | undefined, role: string): SeriesFinding | undefined {
  return sig?.byRole.get(role)?.[0];
}

/** Significant symptom departures of a service (errors, latency, probe, query latency, queue depth). */
export function symptoms(sig: ServiceSignals | undefined): SeriesFinding[] {
  if (!sig) return [];
  const out: SeriesFinding[] = [];
  for (const role of SYMPTOM_ROLES) for (const f of sig.byRole.get(role) ?? []) if (f.significant) out.push(f);
  return out;
}

/** Restarts added during the window, and when the last one happened. */
export function restartsInWindow(sig: ServiceSignals | undefined): { added: number; times: number[] } {
  const f = firstOf(sig, 'restarts');
  if (!f || f.points.length < 2) return { added: 0, times: [] };
  const times: number[] = [];
  let added = 0;
  for (let i = 1; i < f.points.length; i++) {
    const d = f.points[i]![1] - f.points[i - 1]![1];
    if (d > 0) {
      added += d;
      times.push(f.points[i]![0] * 1000);
    }
  }
  return { added, times };
}
