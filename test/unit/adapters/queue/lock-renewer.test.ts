// One lock-renewal statement a tick for every job a queue instance runs (createLockRenewer): every held job in it,
// a job held by two runs at once (its lock lapsed and this instance took it again) renewed until both end, a drop
// called twice counted once, and no statement once nothing is held.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Knex } from 'knex';
import { createLockRenewer } from '../../../../src/adapters/queue/runner-deps.js';
import { createLogger } from '../../../../src/logger.js';

const LOCK_MS = 3000; // a tick every second

describe('createLockRenewer', () => {
  let renewed: string[][];
  let knex: Knex;
  beforeEach(() => {
    vi.useFakeTimers();
    renewed = [];
    // The statement extendLocks makes, recorded: db('jobs').whereIn('id', ids).where(...).update(...).
    knex = ((table: string) => {
      expect(table).toBe('jobs');
      return {
        whereIn: (_column: string, ids: string[]) => ({
          where: () => ({
            update: async () => {
              renewed.push([...ids].sort());
              return ids.length;
            },
          }),
        }),
      };
    }) as unknown as Knex;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('renews every held job in one statement a tick, until the last run of each ends', async () => {
    const hold = createLockRenewer(knex, 'owner-1', LOCK_MS, createLogger({ level: 'silent' }));
    const a1 = hold('a');
    const a2 = hold('a'); // the same job taken again while its first run goes on
    const b = hold('b');
    await vi.advanceTimersByTimeAsync(1000);
    expect(renewed).toEqual([['a', 'b']]);

    a1();
    a1(); // a second call drops nothing more
    await vi.advanceTimersByTimeAsync(1000);
    expect(renewed.at(-1)).toEqual(['a', 'b']);

    a2();
    await vi.advanceTimersByTimeAsync(1000);
    expect(renewed.at(-1)).toEqual(['b']);

    b();
    const before = renewed.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(renewed).toHaveLength(before);

    // Held again later: the ticks start again.
    const c = hold('c');
    await vi.advanceTimersByTimeAsync(1000);
    expect(renewed.at(-1)).toEqual(['c']);
    c();
  });
});
