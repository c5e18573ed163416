// Hand-made scenarios for investigator tests: a few services, series that step from a baseline at a chosen minute.
import { Random } from '../../../sandbox/world/random.js';
import type { Change, Deploy, LogLine, ServiceNode, Series } from '../../../src/investigation/evidence-model.js';
import type { Scenario } from '../../../eval/scenario-format.js';

export const NOW = Date.parse('2026-03-10T12:00:00Z');
const N = 181;

/** Minutes before now, as RFC 3339. */
export const ago = (min: number) => new Date(NOW - min * 60_000).toISOString().replace('.000Z', 'Z');

export interface SeriesSpec {
  name: string;
  labels: Record<string, string>;
  base: number;
  /** Level after the change (omit for a steady series). */
  after?: number;
  /** Minutes before now at which the change starts. */
  at?: number;
  /** Relative noise of the baseline. */
  noise?: number;
  /** Minutes over which the change ramps in. */
  ramp?: number;
}

export function series(spec: SeriesSpec, rng: Random): Series {
  const start = NOW / 1000 - (N - 1) * 60;
  const values: Array<[number, string]> = [];
  for (let i = 0; i < N; i++) {
    const minutesAgo = N - 1 - i;
    let v = spec.base * (1 + (spec.noise ?? 0.05) * rng.normal());
    if (spec.after !== undefined && spec.at !== undefined && minutesAgo <= spec.at) {
      const f = Math.min(1, (spec.at - minutesAgo + 1) / (spec.ramp ?? 1));
      v = v + (spec.after * (1 + 0.03 * rng.normal()) - v) * f;
    }
    values.push([start + i * 60, String(Math.max(0, +v.toPrecision(5)))]);
  }
  return { metric: { __name__: spec.name, ...spec.labels }, values };
}

export const svc = (name: string, dependsOn: string[] = [], kind: ServiceNode['kind'] = 'service'): ServiceNode => ({
  name,
  kind,
  team: 'core',
  tier: 2,
  dependsOn,
});

/** The usual healthy series of an HTTP service, with overrides by metric name. */
export function httpService(name: string, overrides: Partial<Record<string, Partial<SeriesSpec>>> = {}): SeriesSpec[] {
  const base: SeriesSpec[] = [
    { name: 'service:http_requests:rate5m', labels: { service: name }, base: 300 },
    { name: 'service:http_errors:ratio_rate5m', labels: { service: name }, base: 0.002, noise: 0.3 },
    { name: 'service:http_latency_seconds:p99', labels: { service: name }, base: 0.25 },
    { name: 'container_cpu_usage:ratio', labels: { service: name }, base: 0.3, noise: 0.03 },
    { name: 'container_memory_working_set_bytes', labels: { service: name }, base: 5e8, noise: 0.01 },
    { name: 'kube_pod_container_status_restarts_total', labels: { service: name }, base: 2, noise: 0 },
    { name: 'node_filesystem_avail:ratio', labels: { service: name }, base: 0.6, noise: 0.005 },
  ];
  return base.map((s) => ({ ...s, ...(overrides[s.name] ?? {}) }));
}

export function alertmanagerPage(
  service: string,
  alertname = 'HighErrorRate',
  annotations: Record<string, string> = {},
  startsAgo = 10,
): Scenario['page'] {
  const labels = { alertname, service, severity: 'critical' };
  const ann = { summary: `${service} ${alertname}`, ...annotations };
  return {
    source: 'alertmanager',
    payload: {
      version: '4',
      status: 'firing',
      commonLabels: labels,
      commonAnnotations: ann,
      alerts: [
        { status: 'firing', labels, annotations: ann, startsAt: ago(startsAgo), endsAt: '0001-01-01T00:00:00Z' },
      ],
    },
  };
}

export const RUNBOOKS: Scenario['runbooks'] = [
  {
    id: 'rb-errors',
    title: 'High error rate',
    alerts: ['HighErrorRate'],
    markdown: [
      '# High error rate',
      '1. Find when errors started.',
      '2. If a deploy landed just before, roll it back (action: rollback_deploy).',
      '3. If a flag changed just before, revert it (action: revert_change).',
      '4. If a vendor is failing, enable the fallback (action: enable_fallback).',
    ].join('\n'),
  },
  {
    id: 'rb-latency',
    title: 'Latency',
    alerts: ['HighLatencyP99'],
    markdown: '1. Check traffic.\n2. Scale out (action: scale_out).',
  },
  {
    id: 'rb-oom',
    title: 'Restarts',
    alerts: ['PodCrashLooping'],
    markdown: '1. Check memory.\n2. Restart (action: restart_service).',
  },
];

export function buildScenario(opts: {
  id?: string;
  services: ServiceNode[];
  page: Scenario['page'];
  series: SeriesSpec[];
  deploys?: Deploy[];
  changes?: Change[];
  logs?: LogLine[];
  seed?: number;
}): Scenario {
  const rng = new Random(opts.seed ?? 7);
  return {
    version: 1,
    id: opts.id ?? 'hand-made',
    title: 'hand-made scenario',
    now: new Date(NOW).toISOString(),
    services: opts.services,
    page: opts.page,
    metrics: opts.series.map((s) => series(s, rng)),
    logs: opts.logs ?? [],
    deploys: opts.deploys ?? [],
    changes: opts.changes ?? [],
    pastIncidents: [],
    runbooks: RUNBOOKS,
  };
}

export const deploy = (id: string, service: string, minutesAgo: number, files = ['src/price-resolver.ts']): Deploy => ({
  id,
  service,
  ts: ago(minutesAgo),
  sha: 'abc1234',
  author: 'dev',
  title: 'Refactor PriceResolver',
  files,
});
