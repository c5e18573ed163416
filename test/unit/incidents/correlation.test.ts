// The storm-correlation decision: a pure function of the graph, the open incidents, their services and times.
import { describe, expect, it } from 'vitest';
import {
  decideCorrelation,
  dependencyPath,
  inGraph,
  mergeGraphs,
  relatedServices,
  type CorrelationCandidate,
  type CorrelationInput,
} from '../../../src/incidents/correlation.js';

const graph = mergeGraphs([
  { name: 'checkout', dependsOn: ['payments', 'orders'] },
  { name: 'payments', dependsOn: ['orders-db', 'stripe'] },
  { name: 'orders', dependsOn: ['orders-db'] },
  { name: 'search', dependsOn: ['search-index'] },
  { name: 'emails', dependsOn: ['smtp', 'feature-flags'] },
  { name: 'reports', dependsOn: ['feature-flags'] },
]);
const t0 = new Date('2026-11-30T04:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const candidate = (id: number, services: [string, number][], splitOut: string[] = []): CorrelationCandidate => ({
  incidentId: id,
  publicId: `INC-${id}`,
  services: services.map(([name, s]) => ({ name, pagedAt: at(s) })),
  splitOut,
});
const input = (over: Partial<CorrelationInput>): CorrelationInput => ({
  service: 'payments',
  at: at(40),
  candidates: [],
  graph,
  changed: [],
  windowMs: 5 * 60_000,
  maxHops: 3,
  ...over,
});

describe('dependencyPath', () => {
  it('follows dependsOn down to the dependency, shortest first, within the hop limit', () => {
    expect(dependencyPath(graph, 'checkout', 'orders-db', 3)).toEqual(['checkout', 'payments', 'orders-db']);
    expect(dependencyPath(graph, 'checkout', 'orders-db', 1)).toBeUndefined();
    expect(dependencyPath(graph, 'orders-db', 'checkout', 3)).toBeUndefined();
  });
  it('survives a cycle in the configured graph', () => {
    const cyclic = mergeGraphs([
      { name: 'a', dependsOn: ['b'] },
      { name: 'b', dependsOn: ['a'] },
    ]);
    expect(dependencyPath(cyclic, 'a', 'c', 5)).toBeUndefined();
  });
});

describe('decideCorrelation', () => {
  it("joins a dependency only below the incident's lowest services: a victim high in the graph pulls nothing in", () => {
    // orders-db's storm took checkout with it; stripe and orders-db are both checkout's dependencies (through payments).
    const storm = candidate(3, [
      ['orders-db', 0],
      ['payments', 1],
      ['checkout', 2],
    ]);
    expect(decideCorrelation(input({ service: 'stripe', candidates: [storm] }))).toMatchObject({ join: false });
    // A victim paging first, then the failure below it: that joins (and becomes the incident's lowest service).
    const victims = candidate(4, [['checkout', 0]]);
    expect(decideCorrelation(input({ service: 'orders-db', candidates: [victims] }))).toMatchObject({
      join: true,
      relation: 'dependency_of',
      to: 'checkout',
    });
    // Services that depend on the storm still join through any of its services.
    expect(decideCorrelation(input({ service: 'orders', candidates: [storm] }))).toMatchObject({
      join: true,
      relation: 'depends_on',
      to: 'orders-db',
    });
  });

  it('joins a service that depends on a service the incident covers, and says why', () => {
    const d = decideCorrelation(input({ candidates: [candidate(7, [['orders-db', 0]])] }));
    expect(d).toMatchObject({ join: true, incidentId: 7, relation: 'depends_on', to: 'orders-db', hops: 1 });
    expect(d.reason).toBe('payments depends on orders-db, paged 40 s after');
  });

  it('joins the database paged after the services above it (the other direction)', () => {
    const d = decideCorrelation(input({ service: 'orders-db', candidates: [candidate(3, [['checkout', 0]])] }));
    expect(d).toMatchObject({
      join: true,
      relation: 'dependency_of',
      hops: 2,
      path: ['checkout', 'payments', 'orders-db'],
    });
    expect(d.reason).toBe('checkout depends on orders-db (through payments), paged 40 s after');
  });

  it('keeps an unrelated service apart, saying why', () => {
    const d = decideCorrelation(input({ service: 'search', candidates: [candidate(7, [['orders-db', 0]])] }));
    expect(d.join).toBe(false);
    expect(d.reason).toContain('not connected within 3 hops');
  });

  it('does not join past the hop limit', () => {
    const d = decideCorrelation(
      input({ service: 'checkout', maxHops: 1, candidates: [candidate(7, [['orders-db', 0]])] }),
    );
    expect(d.join).toBe(false);
  });

  it('does not join an incident whose pages are older than the window', () => {
    const d = decideCorrelation(input({ at: at(301), candidates: [candidate(7, [['orders-db', 0]])] }));
    expect(d.join).toBe(false);
    expect(decideCorrelation(input({ at: at(300), candidates: [candidate(7, [['orders-db', 0]])] })).join).toBe(true);
  });

  it('joins two services that share a dependency only when that dependency changed in the window', () => {
    const base = input({ service: 'reports', candidates: [candidate(9, [['emails', 0]])] });
    expect(decideCorrelation(base).join).toBe(false);
    const d = decideCorrelation({ ...base, changed: [{ service: 'feature-flags', kind: 'change', at: at(-60) }] });
    expect(d).toMatchObject({ join: true, relation: 'shared_change', changed: 'feature-flags' });
    expect(d.reason).toBe('reports and emails both depend on feature-flags, which changed, paged 40 s after');
    const old = decideCorrelation({ ...base, changed: [{ service: 'feature-flags', kind: 'change', at: at(-400) }] });
    expect(old.join).toBe(false);
  });

  it('prefers the shortest path, then a dependency of the page, then the service that paged first', () => {
    const d = decideCorrelation(
      input({
        service: 'checkout',
        candidates: [
          candidate(1, [['orders-db', 0]]),
          candidate(2, [['orders', 30]]),
          candidate(3, [['payments', 10]]),
        ],
      }),
    );
    expect(d).toMatchObject({ join: true, incidentId: 3, hops: 1, to: 'payments' });
    // orders depends on orders-db (1 hop) beats checkout depending on orders (1 hop), though checkout paged closer.
    const o = decideCorrelation(
      input({
        service: 'orders',
        candidates: [
          candidate(4, [
            ['checkout', 39],
            ['orders-db', 0],
          ]),
        ],
      }),
    );
    expect(o).toMatchObject({ relation: 'depends_on', to: 'orders-db' });
  });

  it('never joins a service back to the incident it was split out of', () => {
    const d = decideCorrelation(input({ candidates: [candidate(7, [['orders-db', 0]], ['payments'])] }));
    expect(d.join).toBe(false);
  });

  it('is off with a zero window, and needs a service', () => {
    expect(decideCorrelation(input({ windowMs: 0, candidates: [candidate(7, [['orders-db', 0]])] })).join).toBe(false);
    expect(decideCorrelation(input({ service: null, candidates: [candidate(7, [['orders-db', 0]])] })).join).toBe(
      false,
    );
  });

  it('knows which services take part in the graph', () => {
    expect(inGraph(graph, 'orders-db')).toBe(true);
    expect(inGraph(graph, 'checkout')).toBe(true);
    expect(inGraph(graph, 'unknown')).toBe(false);
  });
});

describe('decideCorrelation, distinct pages', () => {
  it('keeps another alert group of the same service apart (distinct pages are distinct incidents)', () => {
    const d = decideCorrelation(input({ service: 'orders-db', candidates: [candidate(7, [['orders-db', 0]])] }));
    expect(d.join).toBe(false);
  });
});

describe('relatedServices', () => {
  it('names the services a page could join: dependencies, dependents and sharers of a dependency, within the hops', () => {
    // orders shares orders-db with payments: a change there would join them.
    expect(relatedServices(graph, 'payments', 1)).toEqual(['checkout', 'orders', 'orders-db', 'stripe']);
    expect(relatedServices(graph, 'orders-db', 1)).toEqual(['orders', 'payments']);
    expect(relatedServices(graph, 'orders-db', 2)).toEqual(['checkout', 'orders', 'payments']);
    expect(relatedServices(graph, 'emails', 3)).toEqual(['feature-flags', 'reports', 'smtp']);
    expect(relatedServices(graph, 'search', 3)).toEqual(['search-index']);
  });

  it('keeps every decision: reading only incidents of related services joins what reading all of them joins', () => {
    // Random graphs, incidents and changes (a fixed seed): the decision over the related incidents equals the decision
    // over all of them whenever either joins.
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const names = Array.from({ length: 12 }, (_, i) => `s${i}`);
    const pick = () => names[Math.floor(random() * names.length)]!;
    const joins = { depends_on: 0, dependency_of: 0, shared_change: 0 };
    let sharedOnly = 0;
    for (let round = 0; round < 3000; round++) {
      const density = 0.04 + random() * 0.12;
      const g = mergeGraphs(
        names.map((name) => ({ name, dependsOn: names.filter((d) => d !== name && random() < density) })),
      );
      const candidates = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, i) =>
        candidate(
          i + 1,
          Array.from({ length: random() < 0.7 ? 1 : 2 }, () => [pick(), Math.floor(random() * 60)]),
          random() < 0.2 ? [pick()] : [],
        ),
      );
      const changed = Array.from({ length: Math.floor(random() * 3) }, () => ({
        service: pick(),
        kind: 'change' as const,
        at: at(20),
      }));
      const service = pick();
      const maxHops = 1 + Math.floor(random() * 3);
      const related = new Set(relatedServices(g, service, maxHops));
      const all = decideCorrelation(input({ service, graph: g, candidates, changed, maxHops }));
      const some = decideCorrelation(
        input({
          service,
          graph: g,
          changed,
          maxHops,
          candidates: candidates.filter((c) => c.services.some((s) => related.has(s.name))),
        }),
      );
      if (all.join || some.join) expect(some).toEqual(all);
      if (all.join) joins[all.relation]++;
      // Joined through a shared change alone: neither depends on the other within the hops.
      if (all.join && !dependencyPath(g, service, all.to, maxHops) && !dependencyPath(g, all.to, service, maxHops))
        sharedOnly++;
    }
    // Every kind of join was met, so each part of relatedServices was needed.
    expect(Math.min(...Object.values(joins))).toBeGreaterThan(10);
    expect(sharedOnly).toBeGreaterThan(5);
  });
});
