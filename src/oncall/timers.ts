// Timers in the clock's frame: the product computes "page at 09:00 team time" from ctx.clock; the queue waits in real time.
import type { Clock } from '../context.js';

/**
 * A clock that is not the wall clock (the local workspace's world, a test driving business hours) says when, in
 * real time, a timer due at one of its instants must fire. The system clock needs no translation.
 */
export interface TimerClock extends Clock {
  timerAt(at: Date): Date;
}

function isTimerClock(clock: Clock): clock is TimerClock {
  return typeof (clock as Partial<TimerClock>).timerAt === 'function';
}

/** The runAt to give the queue for an instant on the product's clock. */
export function timerRunAt(clock: Clock, at: Date): Date {
  return isTimerClock(clock) ? clock.timerAt(at) : at;
}

/**
 * A controllable clock for tests and demos: starts at `start` and runs `speed` times faster than real time, so a
 * seven-hour wait in team time passes in seven real seconds at speed 3600. `set` jumps to another instant.
 */
export function createWarpClock(start: Date, speed = 1): TimerClock & { set(at: Date): void } {
  let anchorFake = start.getTime();
  let anchorReal = Date.now();
  const now = () => new Date(anchorFake + (Date.now() - anchorReal) * speed);
  return {
    now,
    timerAt: (at) => new Date(Date.now() + Math.max(0, at.getTime() - now().getTime()) / speed),
    set(at) {
      anchorFake = at.getTime();
      anchorReal = Date.now();
    },
  };
}
