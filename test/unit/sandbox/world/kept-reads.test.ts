// What a world keeps between reads (series per window of points, log buckets) answers exactly what a fresh world
// would, and is dropped when the world changes.
import { describe, expect, it } from 'vitest';
import { World, createWorldClock, createWorldEvidence, triggerScenario } from '../../../../sandbox/world/index.js';

const MINUTE = 60_000;
const START = new Date('2026-11-22T14:03:00Z');

function stoppedWorld() {
  const world = new World({ clock: createWorldClock({ speed: 0, start: START }), seed: 'kept' });
  return { world, evidence: createWorldEvidence(world) };
}

describe('a world reading again what it read before', () => {
  it('answers range queries as a fresh world does, from any start within a scrape and at any step', async () => {
    const kept = stoppedWorld();
    const now = kept.world.now();
    const ranges = [0, 7_000, 14_999, 15_000, 7_000, 0].flatMap((offset) => [
      { start: now - 3 * 60 * MINUTE + offset, end: now, stepMs: MINUTE },
      { start: now - 60 * MINUTE + offset, end: now, stepMs: 20_000 },
    ]);
    for (const range of ranges) {
      const fresh = stoppedWorld();
      for (const role of ['error_ratio', 'upstream_error_ratio', 'queue_depth'])
        for (const service of ['checkout', 'email-worker'])
          expect(await kept.evidence.metrics!.queryRole(role, service, range)).toEqual(
            await fresh.evidence.metrics!.queryRole(role, service, range),
          );
      expect(await kept.evidence.metrics!.queryRange('pg_connections:ratio', range)).toEqual(
        await fresh.evidence.metrics!.queryRange('pg_connections:ratio', range),
      );
    }
  });

  it('answers log searches as a fresh world does, for all services or one', async () => {
    const kept = stoppedWorld();
    const now = kept.world.now();
    for (const start of [now - 3 * 60 * MINUTE, now - 61 * MINUTE + 123, now - 3 * 60 * MINUTE])
      for (const service of [undefined, 'checkout']) {
        const range = { start, end: now, stepMs: MINUTE };
        const fresh = stoppedWorld();
        const lines = await kept.evidence.logs!.search({ range, ...(service ? { service } : {}) });
        expect(lines.length).toBeGreaterThan(10);
        expect(lines).toEqual(await fresh.evidence.logs!.search({ range, ...(service ? { service } : {}) }));
      }
  });

  it('sees a fault injected after the last read, in its metrics and in its logs', async () => {
    const { world, evidence } = stoppedWorld();
    const range = { start: world.now() - 30 * MINUTE, end: world.now(), stepMs: MINUTE };
    const errorRatio = async () =>
      (await evidence.metrics!.queryRole('error_ratio', 'search', range))[0]!.values.map(([, v]) => Number(v));
    const resolverLines = async () =>
      (await evidence.logs!.search({ service: 'search', range })).filter((l) => l.line.includes('PriceResolver'));
    expect(Math.max(...(await errorRatio()))).toBeLessThan(0.02);
    expect(await resolverLines()).toEqual([]);
    triggerScenario(world, 'bad-deploy-search');
    expect(Math.max(...(await errorRatio()))).toBeGreaterThan(0.1);
    expect((await resolverLines()).length).toBeGreaterThan(0);
  });

  it('shares its log lines read-only: a reader cannot change what the next one reads', async () => {
    const { world, evidence } = stoppedWorld();
    const range = { start: world.now() - 10 * MINUTE, end: world.now(), stepMs: MINUTE };
    const [line] = await evidence.logs!.search({ range });
    expect(() => {
      (line as { line: string }).line = 'changed';
    }).toThrow(TypeError);
    expect((await evidence.logs!.search({ range }))[0]).toEqual(line);
  });
});
