// An investigation reads its window's deploys and changes with its incident (one statement fewer): inside
// withPrefetchedChangeEvents the change-events source answers exactly that range from them, and reads for any other.
import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import {
  createChangeEventsSource,
  readsChangeEvents,
  withPrefetchedChangeEvents,
} from '../../../src/intake/change-events-source.js';
import { mergeChangeSources } from '../../../src/adapters/evidence.js';
import type { ChangeSource } from '../../../src/investigation/ports.js';

/** A knex that records each table it is asked for and answers no rows. */
function fakeKnex(): { knex: Knex; reads: string[] } {
  const reads: string[] = [];
  const builder = (): unknown => {
    const q: Record<string, unknown> = {};
    for (const m of ['whereIn', 'whereBetween', 'orderBy', 'andWhere', 'where', 'whereRaw']) q[m] = () => q;
    q.select = () => Promise.resolve([]);
    q.first = () => Promise.resolve(undefined);
    return q;
  };
  const knex = ((table: string) => {
    reads.push(table);
    return builder();
  }) as unknown as Knex;
  return { knex, reads };
}

const deploy = {
  id: 'd-1',
  service: 'checkout',
  ts: '2026-11-30T03:10:00.000Z',
  sha: 'abc123',
  title: 'bump the pool',
  files: [],
};
const change = {
  id: 'c-1',
  service: 'checkout',
  ts: '2026-11-30T03:12:00.000Z',
  kind: 'feature_flag',
  title: 'flag on',
};
const range = { start: Date.parse('2026-11-30T00:30:00Z'), end: Date.parse('2026-11-30T03:30:00Z'), stepMs: 60_000 };

describe('prefetched change events', () => {
  it('answer the range they were read for from the rows, without a read; another range or a service reads', async () => {
    const { knex, reads } = fakeKnex();
    const source = createChangeEventsSource(knex);
    const rows = [
      { type: 'deploy', data: deploy },
      { type: 'change', data: change },
    ];
    await withPrefetchedChangeEvents({ knex, start: range.start, end: range.end, rows }, async () => {
      expect((await source.listDeploys(range)).map((d) => d.id)).toEqual(['d-1']);
      expect((await source.listChanges(range)).map((c) => c.id)).toEqual(['c-1']);
      expect(reads).toEqual([]);
      await source.listDeploys({ ...range, start: range.start - 1 });
      await source.listDeploys(range, 'checkout');
      expect(reads).toEqual(['change_events', 'change_events']);
    });
    // Outside it, the same range reads.
    await source.listDeploys(range);
    expect(reads).toHaveLength(3);
  });

  it('of another database are not used', async () => {
    const { knex, reads } = fakeKnex();
    const other = fakeKnex();
    const source = createChangeEventsSource(knex);
    await withPrefetchedChangeEvents({ knex: other.knex, start: range.start, end: range.end, rows: [] }, () =>
      source.listDeploys(range),
    );
    expect(reads).toEqual(['change_events']);
  });

  it('are read only for evidence whose change source reads change_events, itself or merged with others', () => {
    const { knex } = fakeKnex();
    const events = createChangeEventsSource(knex);
    const github: ChangeSource = { listDeploys: async () => [], listChanges: async () => [] };
    expect(readsChangeEvents(events)).toBe(true);
    expect(readsChangeEvents(mergeChangeSources([github, events]))).toBe(true);
    expect(readsChangeEvents(github)).toBe(false);
    expect(readsChangeEvents(mergeChangeSources([github, github]))).toBe(false);
    expect(readsChangeEvents(undefined)).toBe(false);
  });
});
