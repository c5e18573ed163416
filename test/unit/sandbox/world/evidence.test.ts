// The world's evidence ports answer in the shapes the real adapters give: Prometheus matrices, log lines, deploys.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../src/errors.js';
import { seriesSchema } from '../../../../src/investigation/evidence-model.js';
import { World, createWorldClock, createWorldEvidence, triggerScenario } from '../../../../sandbox/world/index.js';

const MINUTE = 60_000;
const START = new Date('2026-11-22T14:03:00Z');

function stoppedWorld() {
  const clock = createWorldClock({ speed: 0, start: START });
  const world = new World({ clock, seed: 'evidence' });
  return { clock, world, evidence: createWorldEvidence(world) };
}

describe('world metrics', () => {
  it('answer a role as a Prometheus matrix: SPEC names, service label, string samples at each step up to now', async () => {
    const { world, evidence } = stoppedWorld();
    const now = world.now();
    const series = await evidence.metrics!.queryRole('error_ratio', 'checkout', {
      start: now - 10 * MINUTE,
      end: now + 10 * MINUTE,
      stepMs: MINUTE,
    });
    expect(series).toHaveLength(1);
    expect(() => seriesSchema.parse(series[0])).not.toThrow();
    expect(series[0]!.metric).toEqual({ __name__: 'service:http_errors:ratio_rate5m', service: 'checkout' });
    expect(series[0]!.values.map(([t]) => t)).toEqual(
      Array.from({ length: 11 }, (_, i) => (now - (10 - i) * MINUTE) / 1000),
    );
    for (const [, v] of series[0]!.values) expect(Number(v)).toBeGreaterThan(0);
  });

  it('give one series per upstream and per queue, and nothing for what a service does not export', async () => {
    const { world, evidence } = stoppedWorld();
    const range = { start: world.now() - 5 * MINUTE, end: world.now(), stepMs: MINUTE };
    const upstreams = await evidence.metrics!.queryRole('upstream_error_ratio', 'checkout', range);
    expect(upstreams.map((s) => s.metric.upstream).sort()).toEqual(['inventory', 'orders-db', 'payments']);
    const queue = await evidence.metrics!.queryRole('queue_depth', 'email-worker', range);
    expect(queue.map((s) => s.metric)).toEqual([
      { __name__: 'queue_depth', service: 'email-worker', queue: 'order-emails' },
    ]);
    expect(await evidence.metrics!.queryRole('error_ratio', 'orders-db', range)).toEqual([]);
    expect(await evidence.metrics!.queryRole('cpu', 'stripe', range)).toEqual([]);
    expect(await evidence.metrics!.queryRole('no_such_role', 'checkout', range)).toEqual([]);
  });

  it('answer plain selectors with =, !=, =~ and !~ matchers across services', async () => {
    const { world, evidence } = stoppedWorld();
    const range = { start: world.now() - 2 * MINUTE, end: world.now(), stepMs: MINUTE };
    const dbs = await evidence.metrics!.queryRange('pg_connections:ratio{service=~".*-db"}', range);
    expect(dbs.map((s) => s.metric.service).sort()).toEqual(['catalog-db', 'inventory-db', 'orders-db', 'payments-db']);
    const notStripe = await evidence.metrics!.queryRange(
      'service:upstream_errors:ratio_rate5m{service="payments",upstream!="stripe"}',
      range,
    );
    expect(notStripe.map((s) => s.metric.upstream)).toEqual(['payments-db']);
    const noDb = await evidence.metrics!.queryRange('pg_connections:ratio{service!~"orders-db|payments-db"}', range);
    expect(noDb.map((s) => s.metric.service).sort()).toEqual(['catalog-db', 'inventory-db']);
  });

  it('refuse PromQL beyond selectors, and over-long ranges, as a ValidationError', async () => {
    const { world, evidence } = stoppedWorld();
    const range = { start: world.now() - 5 * MINUTE, end: world.now(), stepMs: MINUTE };
    await expect(evidence.metrics!.queryRange('rate(http_requests_total[5m])', range)).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      evidence.metrics!.queryRange('queue_depth', {
        start: world.now() - 30 * 86_400_000,
        end: world.now(),
        stepMs: 1000,
      }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('show a fault only from when it began: history before it stays healthy', async () => {
    const { world, evidence } = stoppedWorld();
    const triggered = triggerScenario(world, 'bad-deploy-search');
    const began = triggered.injection.faults[0]!.startAt;
    const series = await evidence.metrics!.queryRole('error_ratio', 'search', {
      start: began - 30 * MINUTE,
      end: world.now(),
      stepMs: MINUTE,
    });
    const before = series[0]!.values.filter(([t]) => t * 1000 < began).map(([, v]) => Number(v));
    const lately = series[0]!.values.filter(([t]) => t * 1000 > began + 5 * MINUTE).map(([, v]) => Number(v));
    expect(Math.max(...before)).toBeLessThan(0.02);
    expect(Math.min(...lately)).toBeGreaterThan(0.1);
  });

  it('read what the last scrape saw: instants within one 15-second scrape agree, as Prometheus would answer', async () => {
    const { world, evidence } = stoppedWorld();
    const scrape = world.now() - 60 * MINUTE - (world.now() % 15_000);
    const at = (offsetMs: number) =>
      evidence.metrics!.queryRole('request_rate', 'frontend', {
        start: scrape + offsetMs,
        end: scrape + offsetMs + 30 * MINUTE,
        stepMs: MINUTE,
      });
    const values = async (offsetMs: number) => (await at(offsetMs))[0]!.values.map(([, v]) => v);
    expect(await values(7_000)).toEqual(await values(0));
    expect(await values(14_999)).toEqual(await values(0));
    // The next scrape is another reading (traffic follows the time of day).
    expect(await values(15_000)).not.toEqual(await values(0));
  });

  it('read the same values twice for the same instant', async () => {
    const { world, evidence } = stoppedWorld();
    const range = { start: world.now() - 60 * MINUTE, end: world.now(), stepMs: MINUTE };
    expect(await evidence.metrics!.queryRole('latency_p99', 'frontend', range)).toEqual(
      await evidence.metrics!.queryRole('latency_p99', 'frontend', range),
    );
  });
});

describe('world logs', () => {
  it('filter by service, level and substring, oldest first, keeping the newest lines under a limit', async () => {
    const { world, evidence } = stoppedWorld();
    triggerScenario(world, 'bad-deploy-search');
    const range = { start: world.now() - 30 * MINUTE, end: world.now(), stepMs: MINUTE };
    const errors = await evidence.logs!.search({ service: 'search', level: 'error', range });
    expect(errors.length).toBeGreaterThan(5);
    expect(errors.every((l) => l.service === 'search' && l.level === 'error')).toBe(true);
    expect(errors.map((l) => l.ts)).toEqual([...errors.map((l) => l.ts)].sort());
    expect(errors.some((l) => l.line.includes('PriceResolver.resolve'))).toBe(true);
    const frontend = await evidence.logs!.search({ service: 'frontend', contains: 'upstream search failed', range });
    expect(frontend.length).toBeGreaterThan(0);
    const limited = await evidence.logs!.search({ range, limit: 5 });
    const all = await evidence.logs!.search({ range });
    expect(limited).toEqual(all.slice(-5));
  });

  it('carry instruction-like text from the outside world as data in some scenarios', async () => {
    const { world, evidence } = stoppedWorld();
    triggerScenario(world, 'certificate-expiry-frontend');
    const lines = await evidence.logs!.search({
      service: 'frontend',
      contains: 'IMPORTANT NOTE TO ANY AI',
      range: { start: world.now() - 60 * MINUTE, end: world.now(), stepMs: MINUTE },
    });
    expect(lines.length).toBeGreaterThan(0);
  });
});

describe('world deploys, changes, history, runbooks and graph', () => {
  it('list the injected deploy with its commit, and only deploys in the range', async () => {
    const { world, evidence } = stoppedWorld();
    const t = triggerScenario(world, 'bad-deploy-search');
    const culprit = t.injection.deploys.find((d) => d.service === 'search')!;
    const range = { start: world.now() - 3 * 3_600_000, end: world.now(), stepMs: MINUTE };
    const deploys = await evidence.changes!.listDeploys(range);
    expect(deploys.map((d) => d.ts)).toEqual([...deploys.map((d) => d.ts)].sort());
    expect(deploys.every((d) => Date.parse(d.ts) >= range.start && Date.parse(d.ts) <= range.end)).toBe(true);
    expect(deploys).toContainEqual(
      expect.objectContaining({
        id: culprit.id,
        service: 'search',
        title: 'Refactor PriceResolver currency handling',
        sha: culprit.sha,
      }),
    );
    expect(await evidence.changes!.listDeploys(range, 'search')).toEqual(deploys.filter((d) => d.service === 'search'));
    expect(await evidence.changes!.getCommit!(culprit.sha, 'search')).toEqual({
      sha: culprit.sha,
      message: culprit.title,
      files: culprit.files,
    });
  });

  it('list a flag change with its summary', async () => {
    const { world, evidence } = stoppedWorld();
    const t = triggerScenario(world, 'config-change-checkout');
    const changes = await evidence.changes!.listChanges(
      { start: world.now() - 3_600_000, end: world.now(), stepMs: MINUTE },
      'checkout',
    );
    expect(changes).toContainEqual(
      expect.objectContaining({
        id: t.truth.cause,
        kind: 'feature_flag',
        summary: 'set async-reservations to 50% of traffic',
      }),
    );
  });

  it('rank past incidents of the service first, and list runbooks and the service graph', async () => {
    const { evidence } = stoppedWorld();
    const similar = await evidence.history!.similar({ service: 'email-worker', limit: 2 });
    expect(similar[0]!.service).toBe('email-worker');
    const runbooks = await evidence.runbooks!.list();
    expect(runbooks.map((r) => r.id)).toContain('rb-high-error-rate');
    expect(runbooks.find((r) => r.id === 'rb-high-error-rate')!.markdown).toContain('(action: rollback_deploy)');
    const graph = await evidence.graph.services();
    expect(graph.find((s) => s.name === 'checkout')).toEqual({
      name: 'checkout',
      kind: 'service',
      team: 'commerce',
      tier: 1,
      dependsOn: ['payments', 'inventory', 'orders-db'],
    });
    expect(graph.filter((s) => s.kind === 'external').map((s) => s.name)).toEqual(['stripe', 'sendgrid']);
  });
});
