// Credible runner-ups (issue 11): what the walk passed by is still read, each reading cites its own evidence, a close
// rival lowers the confidence, and a pool saturated on its last minutes reads as saturated. Hand-made worlds.
import { describe, expect, it } from 'vitest';
import { investigateDeterministic } from '../../../src/investigation/investigate.js';
import { pageSummaryFromScenario } from '../../../eval/scenario-format.js';
import type { Scenario } from '../../../eval/scenario-format.js';
import { createScenarioSources } from '../../../eval/scenario-sources.js';
import { ago, alertmanagerPage, buildScenario, deploy, httpService, NOW, svc } from './scenario-builder.js';

const ERR = 'service:http_errors:ratio_rate5m';
const REQ = 'service:http_requests:rate5m';
const LAT = 'service:http_latency_seconds:p99';
const CPU = 'container_cpu_usage:ratio';

async function answer(s: Scenario) {
  return investigateDeterministic({
    page: pageSummaryFromScenario(s),
    sources: createScenarioSources(s),
    now: Date.parse(s.now),
  });
}

describe('runner-ups off the walk', () => {
  it("the paged service's own expired certificate is offered when the walk stops at a busy dependency", async () => {
    // gateway's certificate expired 16 minutes ago (probe failing, errors); orders below it got hot at the same time.
    const expired = (NOW - 16 * 60_000) / 1000;
    const r = await answer(
      buildScenario({
        services: [svc('gateway', ['orders']), svc('orders')],
        page: alertmanagerPage('gateway'),
        series: [
          ...httpService('gateway', { [ERR]: { after: 0.3, at: 16 } }),
          { name: 'probe_ssl_earliest_cert_expiry', labels: { service: 'gateway' }, base: expired, noise: 0 },
          { name: 'probe_success', labels: { service: 'gateway' }, base: 1, after: 0, at: 16, noise: 0 },
          ...httpService('orders', { [CPU]: { base: 0.55, after: 0.85, at: 16 } }),
        ],
      }),
    );
    expect(r.novel).toBe(false);
    const cert = r.hypotheses.slice(0, 3).find((h) => h.category === 'certificate_expiry');
    expect(cert).toMatchObject({ service: 'gateway' });
    expect(cert!.evidence.map((e) => e.ref)).toContain('probe_ssl_earliest_cert_expiry{service="gateway"}');
    // A rival with as much evidence of its own: the top answer is not stated as near-certain.
    expect(r.hypotheses[0]!.confidence).toBeLessThan(0.9);
  });

  it('a retry storm into a branch the walk did not take is offered with its change and the multiplied traffic', async () => {
    // web -> api -> {cache, search}; api raised its retries to search, whose requests multiplied while api's stayed
    // flat. The walk follows the failing edge to cache and stops there.
    const s = buildScenario({
      services: [svc('web', ['api']), svc('api', ['cache', 'search']), svc('cache'), svc('search')],
      page: alertmanagerPage('web'),
      series: [
        ...httpService('web', { [ERR]: { after: 0.05, at: 14 } }),
        ...httpService('api', { [ERR]: { after: 0.05, at: 14 } }),
        {
          name: 'service:upstream_errors:ratio_rate5m',
          labels: { service: 'api', upstream: 'cache' },
          base: 0.001,
          after: 0.2,
          at: 14,
        },
        ...httpService('cache', { [ERR]: { after: 0.2, at: 14 }, [CPU]: { after: 0.95, at: 14 } }),
        ...httpService('search', { [REQ]: { base: 200, after: 1000, at: 12, ramp: 2 } }),
      ],
      changes: [
        {
          id: 'chg-retry',
          service: 'api',
          ts: ago(40),
          kind: 'config',
          author: 'dev',
          summary: 'search client: max_retries 3 -> 12',
        },
      ],
    });
    const r = await answer(s);
    const storm = r.hypotheses.slice(0, 3).find((h) => h.cause === 'chg-retry');
    expect(storm).toMatchObject({ category: 'config_change', service: 'api' });
    expect(storm!.evidence.map((e) => e.ref)).toEqual(
      expect.arrayContaining(['chg-retry', 'service:http_requests:rate5m{service="search"}']),
    );
  });

  it('a pool that dipped below 90% in its last scrape still reads as saturated', async () => {
    const s = buildScenario({
      services: [svc('api', ['db']), svc('db', [], 'database')],
      page: alertmanagerPage('api'),
      series: [
        ...httpService('api', { [ERR]: { after: 0.1, at: 14 }, [LAT]: { after: 2, at: 14 } }),
        { name: 'pg_connections:ratio', labels: { service: 'db' }, base: 0.3, after: 0.97, at: 15, noise: 0.02 },
        { name: 'pg_query_latency_seconds:p99', labels: { service: 'db' }, base: 0.01, after: 1.5, at: 15 },
        {
          name: 'service:upstream_errors:ratio_rate5m',
          labels: { service: 'api', upstream: 'db' },
          base: 0.001,
          after: 0.3,
          at: 14,
        },
      ],
    });
    const conns = s.metrics.find((m) => m.metric.__name__ === 'pg_connections:ratio')!;
    conns.values[conns.values.length - 1] = [conns.values.at(-1)![0], '0.88'];
    const r = await answer(s);
    expect(r.novel).toBe(false);
    expect(r.hypotheses[0]).toMatchObject({ category: 'db_saturation', service: 'db' });
  });
});

describe('resolver failures across vendors', () => {
  it('calls to two vendors failing with getaddrinfo EAI_AGAIN in the same minute are novel, and the list stays ranked', async () => {
    // Two unrelated vendors' callers fail at once with the resolver's error, an edge deploy 5 minutes before: not a
    // vendor outage (two at once, and the calls never reached them) and not the deploy (nothing ties it).
    const UP = 'service:upstream_errors:ratio_rate5m';
    const logs = ['geo', 'quote'].flatMap((service, i) =>
      [12, 10, 8, 6, 4].map((m) => ({
        ts: ago(m),
        service,
        level: 'error' as const,
        line: `getaddrinfo EAI_AGAIN api.${i ? 'fx' : 'maps'}-vendor.example`,
      })),
    );
    const r = await answer(
      buildScenario({
        services: [
          svc('edge', ['geo', 'quote']),
          svc('geo', ['maps-vendor']),
          svc('quote', ['fx-vendor']),
          svc('maps-vendor', [], 'external'),
          svc('fx-vendor', [], 'external'),
        ],
        page: alertmanagerPage('edge'),
        series: [
          ...httpService('edge', { [ERR]: { after: 0.08, at: 13 } }),
          ...httpService('geo', { [ERR]: { after: 0.1, at: 13 } }),
          ...httpService('quote', { [ERR]: { after: 0.09, at: 13 } }),
          { name: UP, labels: { service: 'geo', upstream: 'maps-vendor' }, base: 0.001, after: 0.2, at: 13 },
          { name: UP, labels: { service: 'quote', upstream: 'fx-vendor' }, base: 0.001, after: 0.18, at: 13 },
        ],
        deploys: [deploy('d-edge', 'edge', 18, ['envoy.yaml'])],
        logs,
      }),
    );
    expect(r.novel).toBe(true);
    const stated = r.hypotheses.map((h) => h.confidence);
    expect(stated).toEqual([...stated].sort((a, b) => b - a));
  });

  it("a vendor's failing edge with nothing of the vendor's own logged is not its outage while clocks are skewed", async () => {
    // The callers' tokens are rejected as issued in the future; the only sign against the vendor is its edge metric.
    const UP = 'service:upstream_errors:ratio_rate5m';
    const logs = ['api', 'billing'].flatMap((service) =>
      [12, 9, 6, 3].map((m) => ({
        ts: ago(m),
        service,
        level: 'error' as const,
        line: `token rejected: iat ${100 + m}s in the future (clock skew?)`,
      })),
    );
    const r = await answer(
      buildScenario({
        services: [svc('api', ['billing', 'search-vendor']), svc('billing'), svc('search-vendor', [], 'external')],
        page: alertmanagerPage('api'),
        series: [
          ...httpService('api', { [ERR]: { after: 0.1, at: 13 } }),
          ...httpService('billing', { [ERR]: { after: 0.05, at: 13 } }),
          { name: UP, labels: { service: 'api', upstream: 'search-vendor' }, base: 0.001, after: 0.3, at: 13 },
        ],
        logs,
      }),
    );
    expect(r.novel).toBe(true);
  });
});
