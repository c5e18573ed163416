// The tests' clock: a fixed instant that moves at real speed, so no test depends on the day it runs.
import { createWarpClock } from '../../src/oncall/timers.js';

/** Tuesday 24 November 2026, 11:00 in Berlin: inside the test teams' business hours. */
export const TEST_NOW = new Date('2026-11-24T10:00:00Z');

/** Monday 23 November 2026, 09:00 in Berlin: rotations start here, so the first member is on call at TEST_NOW. */
export const TEST_ROTATION_START = '2026-11-23T08:00:00Z';

/**
 * A clock starting at `at` (TEST_NOW by default) and running `speed` times real time. Its timers fire in real time
 * (see timerRunAt), so escalation delays of a few seconds still take a few seconds.
 */
export function testClock(at: Date = TEST_NOW, speed = 1): ReturnType<typeof createWarpClock> {
  return createWarpClock(at, speed);
}
