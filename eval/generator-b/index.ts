// Generator B: `incident-copilot scenarios generate --harder`. Independent of eval/generator/ (its own topologies,
// numbers, noise, situations and file assembly); scenarios are v1 files with truth (docs/scenario-format.md).
import { ACTION_FOR_CATEGORY, type Runbook } from '../../src/investigation/evidence-model.js';
import type { Scenario } from '../scenario-format.js';
import { N, Rng, topology } from './model.js';
import { background } from './noise.js';
import { SITUATIONS_B, type Outcome } from './situations.js';
import { iso, newWorld, render, secOf, totals, type World } from './world.js';

export const SITUATION_NAMES_B = Object.keys(SITUATIONS_B);

const RUNBOOKS: Runbook[] = [
  {
    id: 'rb-5xx',
    title: 'Elevated 5xx',
    alerts: ['HighErrorRate'],
    markdown:
      '# Elevated 5xx\n\n1. Check which upstream fails in `service:upstream_errors:ratio_rate5m`.\n2. A deploy of the failing service in the 30 minutes before: roll it back (action: rollback_deploy).\n3. A flag or config change before the rise: revert it (action: revert_change).\n4. A vendor failing: switch to the fallback (action: enable_fallback).\n5. Otherwise escalate to the owning team (action: escalate).\n',
  },
  {
    id: 'rb-latency',
    title: 'Slow responses',
    alerts: ['HighLatencyP99'],
    markdown:
      "# Slow responses\n\n1. Look for the slowest dependency.\n2. CPU pinned with flat traffic: add replicas (action: scale_out).\n3. Traffic far above the day's curve: scale out (action: scale_out).\n4. Memory climbing until OOM: restart the pods (action: restart_service).\n5. Database pool exhausted by slow queries: cancel them (action: terminate_slow_queries).\n",
  },
  {
    id: 'rb-infra',
    title: 'Infrastructure',
    alerts: ['QueueBacklogHigh', 'ProbeFailure', 'DiskAlmostFull'],
    markdown:
      '# Infrastructure\n\n1. Queue growing: add consumers (action: scale_consumers).\n2. Disk full: clean up old files (action: free_disk).\n3. Certificate expired: renew it (action: renew_certificate).\n',
  },
];

function alertFor(w: World, o: Outcome): string {
  if (o.alert) return o.alert;
  const t = totals(w).get(o.paged);
  const b = w.base.get(o.paged)!;
  return t && t.err[N - 1]! > b.err + 0.02 ? 'HighErrorRate' : 'HighLatencyP99';
}

function page(w: World, o: Outcome, alert: string, startsAt: number): Scenario['page'] {
  const labels = {
    alertname: alert,
    service: o.paged,
    severity: alert === 'HighErrorRate' ? 'critical' : 'warning',
    team: w.by.get(o.paged)?.team ?? 'core',
  };
  const annotations = { summary: `${alert} on ${o.paged}`, description: `${alert} firing for ${o.paged}` };
  return {
    source: 'alertmanager',
    payload: {
      version: '4',
      groupKey: `{}:{alertname="${alert}"}`,
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'copilot',
      groupLabels: { alertname: alert },
      commonLabels: labels,
      commonAnnotations: annotations,
      externalURL: 'http://am.internal:9093',
      alerts: [
        {
          status: 'firing',
          labels,
          annotations,
          startsAt: iso(startsAt),
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prom.internal/graph',
          fingerprint: w.rng.hex(16),
        },
      ],
    },
  };
}

/** One scenario of a situation of generator B, reproducible from `seed`. */
export function generateHarderScenario(seed: number, situation: string, id: string): Scenario {
  const rng = new Rng(seed);
  const nodes = topology(rng);
  // Some windows sit on the morning ramp, where traffic climbs by itself.
  const onRamp = situation === 'ramp_not_surge' || rng.chance(0.3);
  const w = newWorld(rng, nodes, onRamp ? { hour: rng.float(5.5, 8.5) } : {});
  const onset = N - 1 - rng.int(8, 40);
  const o = SITUATIONS_B[situation]!(w, onset);
  background(w, { onset, noChangesOn: o.quiet ?? [], deploys: !o.realTelemetry });
  const alert = alertFor(w, o);
  let metrics = render(w);
  let logs = w.logs;
  let deploys = w.deploys;
  let changes = w.changes;
  if (o.realTelemetry) {
    // What public fault-injection datasets carry: per-pod CPU and memory, rates and latencies; no errors, no changes.
    const keep = new Set([
      'container_cpu_usage:ratio',
      'container_memory_working_set_bytes',
      'service:http_requests:rate5m',
      'service:http_latency_seconds:p99',
    ]);
    metrics = metrics.filter((m) => keep.has(m.metric.__name__!));
    logs = [];
    deploys = [];
    changes = [];
  }
  const nowSec = secOf(w, N - 1) + 30;
  const startsAt = Math.min(secOf(w, onset) + rng.float(2, 7) * 60, nowSec - 60);
  const category = o.category;
  const byTime = <T extends { ts: string }>(xs: T[]) => [...xs].sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
  return {
    version: 1,
    id,
    title: `Harder incident (${situation.replace(/_/g, ' ')}): ${alert} on ${o.paged}`,
    now: iso(nowSec),
    services: nodes.map(({ name, kind, team, tier, dependsOn }) => ({ name, kind, team, tier, dependsOn })),
    page: page(w, o, alert, startsAt),
    metrics,
    logs: byTime(logs.filter((l) => Date.parse(l.ts) <= nowSec * 1000)),
    deploys: byTime(deploys.filter((d) => Date.parse(d.ts) <= nowSec * 1000 && Date.parse(d.ts) >= w.startSec * 1000)),
    changes: byTime(changes.filter((c) => Date.parse(c.ts) <= nowSec * 1000)),
    pastIncidents: [],
    runbooks: RUNBOOKS,
    truth: { category, service: o.service, cause: o.cause, action: ACTION_FOR_CATEGORY[category] },
  } as Scenario;
}

/** `count` scenarios of generator B from `seed`, cycling through every situation. */
export function generateHarder({ count, seed }: { count: number; seed: number }): Scenario[] {
  const order = new Rng(seed ^ 0x5bd1e995).shuffle(SITUATION_NAMES_B);
  return Array.from({ length: count }, (_, i) => {
    const name = order[i % order.length]!;
    return generateHarderScenario(
      (seed * 2_654_435_761 + i * 40_503) >>> 0,
      name,
      `hb-s${seed}-${String(i + 1).padStart(4, '0')}-${name.replace(/_/g, '-')}`,
    );
  });
}
