// The world's clock: runs at its speed, jumps forward, never back.
import { describe, expect, it } from 'vitest';
import { createWorldClock } from '../../../../sandbox/world/world-clock.js';

describe('createWorldClock', () => {
  it('runs at real time by default, from the real time', () => {
    let real = 1_000_000;
    const clock = createWorldClock({ realNow: () => real });
    expect(clock.now().getTime()).toBe(1_000_000);
    real += 5_000;
    expect(clock.nowMs()).toBe(1_005_000);
  });

  it('runs faster when sped up, keeping the time already passed', () => {
    let real = 0;
    const clock = createWorldClock({ start: new Date('2026-11-22T10:00:00Z'), speed: 10, realNow: () => real });
    real += 30_000;
    expect(clock.now().toISOString()).toBe('2026-11-22T10:05:00.000Z');
    clock.setSpeed(1);
    real += 60_000;
    expect(clock.now().toISOString()).toBe('2026-11-22T10:06:00.000Z');
  });

  it('stands still at speed 0 until advanced', () => {
    let real = 0;
    const clock = createWorldClock({ start: new Date('2026-11-22T10:00:00Z'), speed: 0, realNow: () => real });
    real += 3_600_000;
    expect(clock.now().toISOString()).toBe('2026-11-22T10:00:00.000Z');
    clock.advance(90_000);
    expect(clock.now().toISOString()).toBe('2026-11-22T10:01:30.000Z');
  });

  it('refuses to go back in time or to run at a negative speed', () => {
    const clock = createWorldClock({ speed: 0 });
    expect(() => clock.advance(-1)).toThrow(/only moves forward/);
    expect(() => clock.setSpeed(-2)).toThrow(/speed/);
    expect(() => createWorldClock({ speed: Number.NaN })).toThrow(/speed/);
  });
});
