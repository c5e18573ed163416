// A clock for the Slack rate schedule that moves only when told to; a sleep resolves when the clock passes its time.
import type { RateClock } from '../../src/adapters/slack/rate-schedule.js';

export type ManualRateClock = RateClock & { advance(ms: number): Promise<void>; at: number };

/**
 * `advance` moves the clock by `ms` at once, waking the sleepers it passed; with `stepMs`, in steps of that size, with
 * a few turns of the event loop after each, so chains of sleeps and calls (a call, then the next one's sleep) run
 * as they would in real time.
 */
export function manualRateClock(start = 1_000_000, stepMs?: number): ManualRateClock {
  const sleepers: Array<{ until: number; wake: () => void }> = [];
  const wake = () => {
    for (const s of sleepers.filter((x) => x.until <= c.at)) {
      sleepers.splice(sleepers.indexOf(s), 1);
      s.wake();
    }
  };
  const c: ManualRateClock = {
    at: start,
    now: () => c.at,
    sleep: (ms: number) => new Promise<void>((w) => sleepers.push({ until: c.at + ms, wake: w })),
    async advance(ms: number) {
      if (!stepMs) {
        c.at += ms;
        wake();
        await new Promise((r) => setImmediate(r));
        return;
      }
      for (let done = 0; done < ms; done += stepMs) {
        c.at += Math.min(stepMs, ms - done);
        wake();
        for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      }
    },
  };
  return c;
}
