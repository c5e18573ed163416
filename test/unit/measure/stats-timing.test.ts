import { describe, expect, it } from 'vitest';
import { nextSummarySlot, parseStatsWindow } from '../../../src/measure/stats.js';
import { weeklyAtSchema } from '../../../src/config/copilot-schema.js';

describe('the weekly summary slot', () => {
  const monday9 = weeklyAtSchema.parse('Mon 09:00');
  it('is the next Monday 09:00 in the zone, strictly after the instant', () => {
    // Tuesday 24 November 2026, 11:00 in Berlin.
    expect(nextSummarySlot(new Date('2026-11-24T10:00:00Z'), monday9, 'Europe/Berlin').toISOString()).toBe(
      '2026-11-30T08:00:00.000Z',
    );
    // At the slot itself, the next week's.
    expect(nextSummarySlot(new Date('2026-11-30T08:00:00Z'), monday9, 'Europe/Berlin').toISOString()).toBe(
      '2026-12-07T08:00:00.000Z',
    );
    // A minute before, this week's.
    expect(nextSummarySlot(new Date('2026-11-30T07:59:00Z'), monday9, 'Europe/Berlin').toISOString()).toBe(
      '2026-11-30T08:00:00.000Z',
    );
  });

  it('the setting reads a weekday and a 24-hour time, and refuses anything else', () => {
    expect(weeklyAtSchema.parse('fri 17:30')).toEqual({ weekday: 5, minuteOfDay: 17 * 60 + 30 });
    expect(weeklyAtSchema.parse('Sunday 00:00')).toEqual({ weekday: 0, minuteOfDay: 0 });
    expect(weeklyAtSchema.safeParse('Mon 9am').success).toBe(false);
    expect(weeklyAtSchema.safeParse('09:00').success).toBe(false);
  });
});

describe('the stats window', () => {
  it('is hours, days or weeks, default 7 days', () => {
    expect(parseStatsWindow('')).toBe(7 * 86_400_000);
    expect(parseStatsWindow('24h')).toBe(86_400_000);
    expect(parseStatsWindow('30d')).toBe(30 * 86_400_000);
    expect(parseStatsWindow('2W')).toBe(14 * 86_400_000);
  });
  it('refuses anything else with what it expects', () => {
    for (const bad of ['7', 'seven days', '0d', '-1d', '5y', '400d'])
      expect(() => parseStatsWindow(bad)).toThrow(/hours, days or weeks/);
  });
});
