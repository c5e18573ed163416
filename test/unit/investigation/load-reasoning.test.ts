// Where load came from (issue 11): a surge entering above what saturated, a caller's own CPU versus a merely busy
// dependency, and a retry storm whose extra calls reach below the service they hit. Hand-made worlds, no generator seed.
import { describe, expect, it } from 'vitest';
import { investigateDeterministic } from '../../../src/investigation/investigate.js';
import { pageSummaryFromScenario } from '../../../eval/scenario-format.js';
import type { Scenario } from '../../../eval/scenario-format.js';
import { createScenarioSources } from '../../../eval/scenario-sources.js';
import { ago, alertmanagerPage, buildScenario, httpService, svc, type SeriesSpec } from './scenario-builder.js';

const REQ = 'service:http_requests:rate5m';
const LAT = 'service:http_latency_seconds:p99';
const CPU = 'container_cpu_usage:ratio';

async function answer(s: Scenario) {
  const r = await investigateDeterministic({
    page: pageSummaryFromScenario(s),
    sources: createScenarioSources(s),
    now: Date.parse(s.now),
  });
  return { r, h: r.novel ? undefined : r.hypotheses[0] };
}

/** gateway -> orders -> orders-db: the database exports no traffic series of its own. */
function world(
  over: {
    gateway?: Partial<Record<string, Partial<SeriesSpec>>>;
    orders?: Partial<Record<string, Partial<SeriesSpec>>>;
  },
  db: { cpu?: Partial<SeriesSpec>; queries?: Partial<SeriesSpec>; conns?: Partial<SeriesSpec> },
  changes: Scenario['changes'] = [],
): Scenario {
  return buildScenario({
    services: [svc('gateway', ['orders']), svc('orders', ['orders-db']), svc('orders-db', [], 'database')],
    page: alertmanagerPage('gateway', 'HighLatencyP99'),
    series: [
      ...httpService('gateway', { [LAT]: { after: 1.8, at: 14 }, ...over.gateway }),
      ...httpService('orders', over.orders),
      { name: 'pg_connections:ratio', labels: { service: 'orders-db' }, base: 0.3, noise: 0.05, ...db.conns },
      { name: 'pg_query_latency_seconds:p99', labels: { service: 'orders-db' }, base: 0.01, ...db.queries },
      { name: CPU, labels: { service: 'orders-db' }, base: 0.3, noise: 0.03, ...db.cpu },
    ],
    changes,
  });
}

describe('where the load came from', () => {
  it('a surge into the entry that saturates a database below it is a traffic surge of the entry', async () => {
    const { h, r } = await answer(
      world(
        {
          gateway: { [REQ]: { after: 1000, at: 15 }, [CPU]: { after: 0.6, at: 15 } },
          orders: { [REQ]: { after: 1000, at: 15 }, [LAT]: { after: 2, at: 14 } },
        },
        { cpu: { after: 0.97, at: 15 }, queries: { after: 0.2, at: 14 } },
      ),
    );
    expect(h).toMatchObject({ category: 'traffic_surge', service: 'gateway' });
    // The database's CPU stays a reading, below the surge that caused it.
    expect(r.hypotheses.slice(1).some((x) => x.category === 'cpu_saturation' && x.service === 'orders-db')).toBe(true);
  });

  it('a surge that fills the pool of a database below is the surge, not database saturation', async () => {
    // Connections full and queries slower: what extra load does to a database. The old engine ranked the database's
    // saturation (7.8) a tenth of a point above the surge that caused it.
    const surge = {
      gateway: { [REQ]: { after: 1000, at: 15 }, [CPU]: { after: 0.6, at: 15 } },
      orders: { [REQ]: { after: 1000, at: 15 }, [LAT]: { after: 2, at: 14 } },
    };
    const { h, r } = await answer(
      world(surge, { cpu: { after: 0.97, at: 15 }, queries: { after: 0.2, at: 14 }, conns: { after: 0.97, at: 14 } }),
    );
    expect(h).toMatchObject({ category: 'traffic_surge', service: 'gateway' });
    expect(r.hypotheses.slice(1).some((x) => x.category === 'db_saturation' && x.service === 'orders-db')).toBe(true);
    // The same database saturating with traffic flat is the database's own saturation.
    const own = await answer(
      world(
        { orders: { [LAT]: { after: 2, at: 14 } } },
        { queries: { after: 0.3, at: 14 }, conns: { after: 0.98, at: 14 } },
      ),
    );
    expect(own.h).toMatchObject({ category: 'db_saturation', service: 'orders-db' });
  });

  it('a caller whose own CPU ran out keeps the blame from a dependency that is merely busy', async () => {
    const { h } = await answer(
      world(
        { orders: { [CPU]: { after: 0.97, at: 15 }, [LAT]: { after: 2.5, at: 15 } } },
        // The database climbs with the day, no slower queries.
        { cpu: { base: 0.5, after: 0.86, at: 60, ramp: 60 } },
      ),
    );
    expect(h).toMatchObject({ category: 'cpu_saturation', service: 'orders' });
  });

  it('a retry storm whose extra calls reach the database below is still the retry change', async () => {
    const { h } = await answer(
      world(
        { orders: { [REQ]: { after: 1400, at: 15 }, [LAT]: { after: 2.5, at: 14 }, [CPU]: { after: 0.95, at: 14 } } },
        { cpu: { after: 0.97, at: 15 }, queries: { after: 0.2, at: 14 } },
        [
          {
            id: 'chg-77',
            kind: 'config',
            service: 'gateway',
            ts: ago(50),
            author: 'someone',
            summary: 'orders client: max_retries 2 -> 8',
          },
        ],
      ),
    );
    expect(h).toMatchObject({ category: 'config_change', service: 'gateway', cause: 'chg-77' });
  });
});
