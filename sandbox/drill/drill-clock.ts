// The drill's clock: real time while the app works, and a jump ahead whenever a timer falls due, so an ack window or a
// verify window passes in a fraction of its length while everything between timers keeps its real duration.
import type { TimerClock } from '../../src/oncall/timers.js';
import { createWorldClock, type WorldClock } from '../world/world-clock.js';

export type DrillClock = WorldClock &
  TimerClock & {
    /** Forgets the timer the queue was to run at `realAtMs` (it was cancelled): its wait never passes. */
    dropTimer(realAtMs: number): void;
    /** Forgets every pending timer: a new drill's clock is not moved by an earlier drill's leftovers. */
    dropTimers(): void;
  };

export interface DrillClockOptions {
  start: Date;
  /** How much faster than real time a timer's wait passes (60: a 5-minute ack window takes 5 s). */
  timerSpeed: number;
  realNow?: () => number;
}

/**
 * A world clock at real speed whose timers are compressed: `timerAt` answers the real time at which the queue should
 * run a timer due at a drill instant (its wait divided by `timerSpeed`), and once that real time has come the clock
 * reads at least that instant, so the job that runs sees its due time reached.
 */
export function createDrillClock(opts: DrillClockOptions): DrillClock {
  const realNow = opts.realNow ?? (() => Date.now());
  const clock = createWorldClock({ start: opts.start, speed: 1, realNow });
  const pending: Array<{ at: number; realAt: number }> = [];
  const catchUp = () => {
    const real = realNow();
    let target = clock.nowMs();
    for (let i = pending.length - 1; i >= 0; i--) {
      const t = pending[i]!;
      if (t.realAt > real) continue;
      target = Math.max(target, t.at);
      pending.splice(i, 1);
    }
    const behind = target - clock.nowMs();
    if (behind > 0) clock.advance(behind);
  };
  const nowMs = () => {
    catchUp();
    return clock.nowMs();
  };
  return {
    get speed() {
      return clock.speed;
    },
    nowMs,
    now: () => new Date(nowMs()),
    setSpeed: (s) => clock.setSpeed(s),
    advance: (ms) => clock.advance(ms),
    dropTimer(realAtMs: number) {
      for (let i = pending.length - 1; i >= 0; i--) if (pending[i]!.realAt === realAtMs) pending.splice(i, 1);
    },
    dropTimers() {
      pending.length = 0;
    },
    timerAt(at: Date): Date {
      const ahead = at.getTime() - nowMs();
      if (ahead <= 0) return new Date(realNow());
      const realAt = realNow() + ahead / opts.timerSpeed;
      pending.push({ at: at.getTime(), realAt });
      return new Date(realAt);
    },
  };
}
