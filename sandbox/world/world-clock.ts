// The simulated world's clock: real time, optionally sped up, and able to jump ahead; the app's Clock in the local workspace.
import type { Clock } from '../../src/context.js';

/** A clock that runs at `speed` times real time (0 stops it) and can be moved forward, never back. */
export interface WorldClock extends Clock {
  /** World milliseconds per real millisecond. */
  readonly speed: number;
  /** The world's time in unix milliseconds. */
  nowMs(): number;
  setSpeed(speed: number): void;
  /** Jumps the world forward by `ms` (tests, and "skip ahead" in the console). */
  advance(ms: number): void;
}

export interface WorldClockOptions {
  /** World milliseconds per real millisecond; default 1. 0 gives a stopped clock that only `advance` moves. */
  speed?: number;
  /** The world's time when the clock is created; default the real time. */
  start?: Date;
  /** Source of real time, for tests. */
  realNow?: () => number;
}

export function createWorldClock(opts: WorldClockOptions = {}): WorldClock {
  const realNow = opts.realNow ?? (() => Date.now());
  const checkSpeed = (s: number) => {
    if (!Number.isFinite(s) || s < 0) throw new RangeError(`clock speed must be a finite number >= 0, got ${s}`);
    return s;
  };
  let speed = checkSpeed(opts.speed ?? 1);
  let anchorReal = realNow();
  let anchorWorld = opts.start?.getTime() ?? anchorReal;
  const nowMs = () => Math.floor(anchorWorld + (realNow() - anchorReal) * speed);
  return {
    get speed() {
      return speed;
    },
    nowMs,
    now: () => new Date(nowMs()),
    setSpeed(next) {
      checkSpeed(next);
      anchorWorld = nowMs();
      anchorReal = realNow();
      speed = next;
    },
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`the world clock only moves forward; got ${ms} ms`);
      anchorWorld += ms;
    },
  };
}
