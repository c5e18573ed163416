import { describe, expect, it } from 'vitest';
import { formatClockTime, formatDateTime, wallClock, zoneName } from '../../../lib/wall-clock.js';

describe('wallClock', () => {
  it('reads the date, time and weekday an instant shows in a zone', () => {
    // 2026-11-24T08:30:15Z is a Tuesday; Tokyo is nine hours ahead, so it is already 17:30 there.
    const at = new Date('2026-11-24T08:30:15Z');
    expect(wallClock(at, 'UTC')).toEqual({
      year: 2026,
      month: 11,
      day: 24,
      hour: 8,
      minute: 30,
      second: 15,
      weekday: 2,
    });
    expect(wallClock(at, 'Asia/Tokyo')).toMatchObject({ day: 24, hour: 17, minute: 30, weekday: 2 });
  });

  it('crosses midnight backwards into the previous day and weekday', () => {
    const at = new Date('2026-11-24T03:00:00Z');
    expect(wallClock(at, 'America/Los_Angeles')).toMatchObject({ day: 23, hour: 19, weekday: 1 });
  });

  it('follows a daylight-saving change (Berlin: UTC+2 in summer, UTC+1 in winter)', () => {
    expect(wallClock(new Date('2026-07-01T12:00:00Z'), 'Europe/Berlin').hour).toBe(14);
    expect(wallClock(new Date('2026-12-01T12:00:00Z'), 'Europe/Berlin').hour).toBe(13);
  });

  it('shows midnight as hour 0, not 24', () => {
    expect(wallClock(new Date('2026-11-24T00:00:00Z'), 'UTC').hour).toBe(0);
  });
});

describe('formatClockTime and formatDateTime', () => {
  // 03:14:59.900 UTC: one tenth of a second before 03:15.
  const at = Date.parse('2026-11-30T03:14:59.900Z');
  it('show the minute the wall clock shows, seconds dropped and never rounded up', () => {
    expect(formatClockTime(at, 'UTC')).toBe('03:14');
    expect(formatClockTime(at, 'Europe/Berlin')).toBe('04:14');
    expect(formatDateTime(at, 'Europe/Berlin')).toBe('2026-11-30 04:14 GMT+1');
    expect(formatDateTime(at, 'Europe/Berlin', { seconds: true })).toBe('2026-11-30 04:14:59 GMT+1');
  });
  it('name the zone, with its summer name in summer, and cross the date line backwards', () => {
    expect(formatDateTime(at, 'UTC')).toBe('2026-11-30 03:14 UTC');
    expect(formatDateTime(at, 'America/New_York')).toBe('2026-11-29 22:14 EST');
    expect(zoneName(Date.parse('2026-07-01T12:00:00Z'), 'America/New_York')).toBe('EDT');
  });
});
