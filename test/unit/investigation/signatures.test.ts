// Each resource signature on a hand-made world, and every category on generated worlds of different shapes.
import { describe, expect, it } from 'vitest';
import { generateScenario } from '../../../eval/generator/generate-scenarios.js';
import { investigateDeterministic } from '../../../src/investigation/investigate.js';
import { pageSummaryFromScenario } from '../../../eval/scenario-format.js';
import { CATEGORIES } from '../../../src/investigation/evidence-model.js';
import type { Scenario } from '../../../eval/scenario-format.js';
import { createScenarioSources } from '../../../eval/scenario-sources.js';
import {
  ago,
  alertmanagerPage,
  buildScenario,
  deploy,
  httpService,
  NOW,
  svc,
  type SeriesSpec,
} from './scenario-builder.js';

async function top(s: Scenario) {
  const r = await investigateDeterministic({
    page: pageSummaryFromScenario(s),
    sources: createScenarioSources(s),
    now: Date.parse(s.now),
  });
  return { r, h: r.hypotheses[0] };
}

const ERR = 'service:http_errors:ratio_rate5m';
const REQ = 'service:http_requests:rate5m';
const LAT = 'service:http_latency_seconds:p99';
const CPU = 'container_cpu_usage:ratio';

/** gateway -> orders -> orders-db; orders is where things happen. */
function world(
  orders: Partial<Record<string, Partial<SeriesSpec>>>,
  extra: SeriesSpec[] = [],
  alert = 'HighErrorRate',
): Scenario {
  return buildScenario({
    services: [
      svc('gateway', ['orders']),
      svc('orders', ['orders-db', 'stripe']),
      svc('orders-db', [], 'database'),
      svc('stripe', [], 'external'),
    ],
    page: alertmanagerPage('gateway', alert),
    series: [
      ...httpService('gateway', { [ERR]: { after: 0.05, at: 14 }, [LAT]: { after: 1.5, at: 14 } }),
      ...httpService('orders', orders),
      { name: 'pg_connections:ratio', labels: { service: 'orders-db' }, base: 0.3, noise: 0.05 },
      { name: 'pg_query_latency_seconds:p99', labels: { service: 'orders-db' }, base: 0.01 },
      { name: CPU, labels: { service: 'orders-db' }, base: 0.3, noise: 0.03 },
      ...extra,
    ],
  });
}

const failing = { [ERR]: { after: 0.08, at: 15 }, [LAT]: { after: 2.5, at: 15 } };

describe('resource signatures', () => {
  it('CPU saturation: CPU pinned while traffic stays flat', async () => {
    const { h } = await top(world({ ...failing, [CPU]: { after: 0.97, at: 15 } }));
    expect(h).toMatchObject({ category: 'cpu_saturation', service: 'orders' });
  });

  it('traffic surge: requests tripled with CPU and latency rising with them', async () => {
    const { h, r } = await top(world({ ...failing, [CPU]: { after: 0.9, at: 15 }, [REQ]: { after: 900, at: 15 } }));
    expect(h).toMatchObject({ category: 'traffic_surge', service: 'orders' });
    expect(r.hypotheses.slice(0, 3).map((x) => x.category)).toContain('cpu_saturation');
  });

  it('memory leak: blames the deploy where growth began, not a later deploy of the same service', async () => {
    const s = world({ ...failing });
    const mem = s.metrics.find(
      (m) => m.metric.__name__ === 'container_memory_working_set_bytes' && m.metric.service === 'orders',
    )!;
    const restarts = s.metrics.find(
      (m) => m.metric.__name__ === 'kube_pod_container_status_restarts_total' && m.metric.service === 'orders',
    )!;
    // Growth from 150 minutes ago, OOM at 75 and at 15 minutes ago.
    mem.values = mem.values.map(([t], i) => {
      const minAgo = 180 - i;
      const since = minAgo > 150 ? -1 : minAgo > 75 ? 150 - minAgo : minAgo > 15 ? 75 - minAgo : 15 - minAgo;
      return [t, String(since < 0 ? 5e8 : 5e8 + since * 2.5e7)];
    });
    restarts.values = restarts.values.map(([t], i) => [
      t,
      String(2 + (180 - i <= 75 ? 1 : 0) + (180 - i <= 15 ? 1 : 0)),
    ]);
    s.deploys = [deploy('deploy-leak', 'orders', 151), deploy('deploy-later', 'orders', 100, ['src/banner.ts'])];
    const { h } = await top(s);
    expect(h).toMatchObject({ category: 'memory_leak', service: 'orders', cause: 'deploy-leak' });
  });

  it('database saturation: connections exhausted with slow queries, callers failing', async () => {
    const s = world({ ...failing });
    s.metrics = s.metrics.filter((m) => m.metric.service !== 'orders-db');
    s.metrics.push(
      ...buildScenario({
        services: [],
        page: s.page,
        series: [
          {
            name: 'pg_connections:ratio',
            labels: { service: 'orders-db' },
            base: 0.3,
            after: 0.99,
            at: 16,
            noise: 0.05,
          },
          { name: 'pg_query_latency_seconds:p99', labels: { service: 'orders-db' }, base: 0.01, after: 6, at: 16 },
        ],
      }).metrics,
    );
    const { h, r } = await top(s);
    expect(h).toMatchObject({ category: 'db_saturation', service: 'orders-db' });
    expect(r.suggestedStep?.action).toBe('terminate_slow_queries');
  });

  it('disk full: free disk ramped to zero', async () => {
    const { h } = await top(
      world({ ...failing, 'node_filesystem_avail:ratio': { base: 0.5, after: 0, at: 50, ramp: 35, noise: 0.002 } }),
    );
    expect(h).toMatchObject({ category: 'disk_full', service: 'orders' });
  });

  it('certificate expiry: the probed certificate expired at the onset', async () => {
    const expired = (NOW - 16 * 60_000) / 1000;
    const { h } = await top(
      world(failing, [
        { name: 'probe_ssl_earliest_cert_expiry', labels: { service: 'orders' }, base: expired, noise: 0 },
        { name: 'probe_success', labels: { service: 'orders' }, base: 1, after: 0, at: 16, noise: 0 },
      ]),
    );
    expect(h).toMatchObject({ category: 'certificate_expiry', service: 'orders' });
  });

  it('a certificate that expires tomorrow is not an expired certificate', async () => {
    const { h } = await top(
      world({ ...failing, [CPU]: { after: 0.97, at: 15 } }, [
        { name: 'probe_ssl_earliest_cert_expiry', labels: { service: 'orders' }, base: NOW / 1000 + 86_400, noise: 0 },
      ]),
    );
    expect(h?.category).toBe('cpu_saturation');
  });

  it('vendor outage seen only in caller logs when no per-edge metric exists', async () => {
    const s = world(failing);
    s.logs = [12, 10, 7, 4].map((m) => ({
      ts: ago(m),
      service: 'orders',
      level: 'error' as const,
      line: `stripe API returned 503 Service Unavailable`,
    }));
    const { h, r } = await top(s);
    expect(h).toMatchObject({ category: 'third_party_outage', service: 'stripe' });
    expect(r.suggestedStep).toMatchObject({ action: 'enable_fallback', runbook: 'rb-errors', step: 4 });
  });

  it('queue backlog: a consumer whose processing rate collapsed while its queue grows', async () => {
    const s = buildScenario({
      services: [svc('mailer', ['sendgrid'], 'worker'), svc('sendgrid', [], 'external')],
      page: alertmanagerPage('mailer', 'QueueBacklogHigh'),
      series: [
        {
          name: 'queue_depth',
          labels: { service: 'mailer', queue: 'mail' },
          base: 40,
          after: 20_000,
          at: 14,
          ramp: 12,
          noise: 0.2,
        },
        { name: 'queue_processed:rate5m', labels: { service: 'mailer', queue: 'mail' }, base: 30, after: 0.5, at: 14 },
        { name: CPU, labels: { service: 'mailer' }, base: 0.3, noise: 0.03 },
      ],
    });
    const { h } = await top(s);
    expect(h).toMatchObject({ category: 'queue_backlog', service: 'mailer' });
  });
});

describe('every category on generated worlds', () => {
  const cases = CATEGORIES.flatMap((c) => [11, 12, 13].map((seed) => [c, seed] as const));
  it.each(cases)('%s (seed %i)', async (category, seed) => {
    const s = generateScenario(seed * 31 + category.length, category);
    const { truth, ...blind } = s;
    const { r, h } = await top(blind as Scenario);
    if (truth!.category === 'novel') {
      expect(r.novel).toBe(true);
      return;
    }
    expect(r.novel).toBe(false);
    expect(h).toMatchObject({ category: truth!.category, service: truth!.service });
    if (['bad_deploy', 'config_change', 'memory_leak'].includes(truth!.category)) expect(h!.cause).toBe(truth!.cause);
    expect(r.suggestedStep?.action).toBe(truth!.action);
  });
});
