// The scenario file of a generated scene: the page (Alertmanager or PagerDuty), the window sampled from the live world,
// runbooks, past incidents, and truth.
import { PROMPT_INJECTIONS, runbookCatalogue } from '../../sandbox/world/fault-catalogue.js';
import { Random } from '../../sandbox/world/random.js';
import {
  ACTION_FOR_CATEGORY,
  CATEGORIES,
  type Category,
  type PastIncident,
  type LogLine,
  type Runbook,
  type Series,
} from '../../src/investigation/evidence-model.js';
import type { Scenario } from '../scenario-format.js';
import type { Fault } from './plan-fault.js';
import { type Scene, idxSec, iso } from './scene.js';

export function runbooks(rng: Random): Runbook[] {
  return runbookCatalogue(rng.int(0, 2));
}

export function pastIncidents(w: Scene, fault: Fault): PastIncident[] {
  const { rng } = w;
  const cats = CATEGORIES.filter((c) => c !== 'novel');
  const out: PastIncident[] = [];
  const names = w.topo.services.map((s) => s.name);
  for (let k = rng.int(1, 4); k > 0; k--) {
    const service = rng.pick(names);
    const category = rng.pick(cats);
    out.push(pastIncident(w, service, category));
  }
  if (fault.root && fault.category !== 'novel' && rng.chance(0.3))
    out.push(pastIncident(w, fault.root, fault.category));
  if (rng.chance(0.3)) out.push(pastIncident(w, fault.paged, rng.pick(cats)));
  return rng.shuffle(out);
}

function pastIncident(w: Scene, service: string, category: Exclude<Category, 'novel'>): PastIncident {
  return {
    id: `INC-${w.rng.int(100, 3000)}`,
    title: `${service} degraded`,
    service,
    category,
    openedAt: iso(w.nowSec - w.rng.float(5, 120) * 86400),
    rootCause: `${category.replace(/_/g, ' ')} on ${service}`,
    remediation: ACTION_FOR_CATEGORY[category],
  };
}

const SUMMARIES: Record<string, (s: string) => [string, string]> = {
  HighErrorRate: (s) => [
    `${s} 5xx ratio above 5% for 5 minutes`,
    `service:http_errors:ratio_rate5m{service="${s}"} > 0.05`,
  ],
  HighLatencyP99: (s) => [`${s} p99 latency above 2s`, `service:http_latency_seconds:p99{service="${s}"} > 2`],
  QueueBacklogHigh: (s) => [`${s} queue backlog growing`, `queue_depth{service="${s}"} > 5000`],
  PodCrashLooping: (s) => [
    `${s} pods restarting`,
    `increase(kube_pod_container_status_restarts_total{service="${s}"}[15m]) > 2`,
  ],
  DiskAlmostFull: (s) => [`${s} disk almost full`, `node_filesystem_avail:ratio{service="${s}"} < 0.05`],
  ProbeFailure: (s) => [`synthetic probe of ${s} failing`, `probe_success{service="${s}"} == 0`],
  PostgresConnectionsSaturated: (s) => [`${s} connections saturated`, `pg_connections:ratio{service="${s}"} > 0.95`],
};

export function page(w: Scene, fault: Fault, startsAt: number): Scenario['page'] {
  const { rng } = w;
  const svc = w.byName.get(fault.paged)!;
  const [summary, description0] = SUMMARIES[fault.alertname]!(fault.paged);
  const names = w.topo.services.map((s) => s.name);
  const description = rng.chance(0.3)
    ? `${description0}\n\n${rng.pick(PROMPT_INJECTIONS)(rng.pick(names), rng.pick(['rollback_deploy', 'restart_service', 'scale_out', 'revert_change']))}`
    : description0;
  const severity = fault.alertname === 'HighErrorRate' ? 'critical' : 'warning';
  const labels: Record<string, string> = {
    alertname: fault.alertname,
    service: fault.paged,
    severity,
    team: svc.team ?? 'core',
  };
  if (fault.alertname === 'QueueBacklogHigh' && w.topo.queues.get(fault.paged))
    labels.queue = w.topo.queues.get(fault.paged)!;
  if (rng.chance(0.15)) {
    return {
      source: 'pagerduty',
      payload: {
        event: {
          id: `01${rng.hex(24).toUpperCase()}`,
          event_type: 'incident.triggered',
          resource_type: 'incident',
          occurred_at: iso(startsAt),
          agent: null,
          client: null,
          data: {
            id: `Q${rng.hex(12).toUpperCase()}`,
            type: 'incident',
            number: rng.int(100, 9000),
            status: 'triggered',
            incident_key: rng.hex(32),
            created_at: iso(startsAt),
            title: `[FIRING:1] ${fault.alertname} ${fault.paged} (${summary})`,
            service: { id: `P${rng.hex(6).toUpperCase()}`, summary: fault.paged, type: 'service_reference' },
            assignees: [],
            teams: [],
            priority: null,
            urgency: severity === 'critical' ? 'high' : 'low',
            body: { details: description },
          },
        },
      },
    };
  }
  const annotations = { summary, description };
  return {
    source: 'alertmanager',
    payload: {
      version: '4',
      groupKey: `{}:{alertname="${fault.alertname}"}`,
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'incident-copilot',
      groupLabels: { alertname: fault.alertname },
      commonLabels: labels,
      commonAnnotations: { ...annotations, runbook_url: `https://runbooks.example.com/${fault.alertname}` },
      externalURL: 'http://alertmanager.example.com:9093',
      alerts: [
        {
          status: 'firing',
          labels,
          annotations,
          startsAt: iso(startsAt),
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus.example.com:9090/graph?g0.expr=...',
          fingerprint: rng.hex(16),
        },
      ],
    },
  };
}

/** The scenario file of a scene with its fault and the window sampled from its live world. */
export function assemble(
  w: Scene,
  fault: Fault,
  onset: number,
  label: string,
  title = `Generated incident: ${fault.alertname} on ${fault.paged}`,
  sampled: { metrics: Series[]; logs: LogLine[] },
): Scenario {
  const { rng, nowSec } = w;
  const startsAt = idxSec(w, onset) + rng.float(2, 8) * 60;
  return {
    version: 1,
    id: label,
    title,
    now: iso(nowSec),
    services: w.topo.services,
    page: page(w, fault, Math.min(startsAt, nowSec - 60)),
    metrics: sampled.metrics,
    logs: [...sampled.logs, ...w.logs]
      .filter((l) => Date.parse(l.ts) <= nowSec * 1000)
      .sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts)),
    deploys: w.deploys
      .filter((d) => Date.parse(d.ts) <= nowSec * 1000 && Date.parse(d.ts) >= w.startSec * 1000)
      .sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts)),
    changes: w.changes
      .filter((c) => Date.parse(c.ts) <= nowSec * 1000)
      .sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts)),
    pastIncidents: pastIncidents(w, fault),
    runbooks: runbooks(rng),
    truth: {
      category: fault.category,
      service: fault.root,
      cause: fault.cause,
      action: ACTION_FOR_CATEGORY[fault.category],
    },
  };
}
