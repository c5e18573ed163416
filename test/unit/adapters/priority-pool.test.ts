// The pool's connections by lane: urgent statements go first, and background ones never take the connections kept
// for urgent work.
import { describe, expect, it, vi } from 'vitest';
import { RankedSlots, SlotTimeoutError } from '../../../src/adapters/db/priority-pool.js';

/** Lets pending promise callbacks run. */
const settle = () => new Promise((r) => setImmediate(r));

describe('RankedSlots', () => {
  it('serves the lowest rank first, first come first served within a rank', async () => {
    const slots = new RankedSlots(1, 0);
    await slots.take(0);
    const order: string[] = [];
    void slots.take(2).then(() => order.push('background'));
    void slots.take(1).then(() => order.push('normal'));
    void slots.take(0).then(() => order.push('urgent a'));
    void slots.take(0).then(() => order.push('urgent b'));
    expect(slots.queued).toEqual([2, 1, 1]);
    for (const rank of [0, 0, 0, 1]) {
      slots.give(rank);
      await settle();
    }
    expect(order).toEqual(['urgent a', 'urgent b', 'normal', 'background']);
  });

  it('keeps `reserve` slots from background statements, however many wait', async () => {
    const slots = new RankedSlots(10, 3);
    let background = 0;
    for (let i = 0; i < 50; i++) void slots.take(2).then(() => background++);
    await settle();
    expect(background).toBe(7);
    // The three kept are an urgent statement's at once, and a normal one's.
    let urgent = 0;
    for (let i = 0; i < 3; i++) void slots.take(i === 2 ? 1 : 0).then(() => urgent++);
    await settle();
    expect(urgent).toBe(3);
    // A background statement done gives its slot to the next background one; an urgent one done keeps its slot
    // for urgent work.
    slots.give(2);
    await settle();
    expect(background).toBe(8);
    slots.give(0);
    await settle();
    expect(background).toBe(8);
    expect(slots.queued).toEqual([0, 0, 42]);
  });

  it('gives up a wait after the timeout, as the pool would, and leaves the queue', async () => {
    vi.useFakeTimers();
    try {
      const slots = new RankedSlots(10, 3);
      for (let i = 0; i < 7; i++) await slots.take(2, 1_000);
      // Three slots are free, but background statements may not hold them: the eighth waits, then fails.
      const eighth = slots.take(2, 1_000);
      const failed = expect(eighth).rejects.toThrow(SlotTimeoutError);
      expect(slots.queued).toEqual([0, 0, 1]);
      await vi.advanceTimersByTimeAsync(999);
      expect(slots.queued).toEqual([0, 0, 1]);
      await vi.advanceTimersByTimeAsync(1);
      await failed;
      await expect(eighth).rejects.toThrow(/within 1000 ms \(waiting by lane: urgent 0, normal 0, background 1\)/);
      expect(slots.queued).toEqual([0, 0, 0]);
      // The slot it never got is not lost: one given back serves the next background statement at once.
      slots.give(2);
      await slots.take(2, 1_000);
    } finally {
      vi.useRealTimers();
    }
  });

  it('tells when no urgent statement waits any more', async () => {
    const slots = new RankedSlots(1, 0);
    await slots.take(0);
    void slots.take(0);
    let drained = false;
    void slots.drained().then(() => (drained = true));
    await settle();
    expect(drained).toBe(false);
    slots.give(0);
    await settle();
    expect(drained).toBe(true);
  });
});
