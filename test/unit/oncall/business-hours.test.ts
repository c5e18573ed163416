import { describe, expect, it } from 'vitest';
import {
  businessDayEnd,
  fromLocal,
  isBusinessHours,
  nextBusinessStart,
  toLocal,
} from '../../../src/oncall/business-hours.js';
import { ackWindowMs } from '../../../src/oncall/escalation-policy.js';

const berlin = {
  timeZone: 'Europe/Berlin',
  businessHours: {
    start: '09:00',
    end: '17:00',
    days: ['mon', 'tue', 'wed', 'thu', 'fri'] as ('mon' | 'tue' | 'wed' | 'thu' | 'fri')[],
  },
};
const newYork = { ...berlin, timeZone: 'America/New_York' };

describe('business hours', () => {
  it('reads wall-clock time in the team time zone, start inclusive and end exclusive', () => {
    expect(isBusinessHours(new Date('2026-11-24T08:00:00Z'), berlin)).toBe(true); // Tue 09:00 CET
    expect(isBusinessHours(new Date('2026-11-24T07:59:00Z'), berlin)).toBe(false);
    expect(isBusinessHours(new Date('2026-11-24T16:00:00Z'), berlin)).toBe(false); // 17:00 CET
    expect(isBusinessHours(new Date('2026-11-28T10:00:00Z'), berlin)).toBe(false); // Saturday
  });

  it('moves 09:00 by an hour in UTC across the spring-forward change', () => {
    expect(fromLocal({ year: 2026, month: 3, day: 27 }, '09:00', 'Europe/Berlin').toISOString()).toBe(
      '2026-03-27T08:00:00.000Z',
    );
    expect(fromLocal({ year: 2026, month: 3, day: 30 }, '09:00', 'Europe/Berlin').toISOString()).toBe(
      '2026-03-30T07:00:00.000Z',
    );
  });

  it('finds the next start of business across a DST weekend: 02:00 Saturday to 09:00 Monday local', () => {
    // Berlin springs forward on Sunday 29 March 2026.
    expect(nextBusinessStart(new Date('2026-03-28T01:00:00Z'), berlin).toISOString()).toBe('2026-03-30T07:00:00.000Z');
    // New York falls back on Sunday 1 November 2026.
    expect(nextBusinessStart(new Date('2026-10-31T06:00:00Z'), newYork).toISOString()).toBe('2026-11-02T14:00:00.000Z');
  });

  it('pages the same morning at 09:00 when the page comes at 02:00 on a weekday', () => {
    expect(nextBusinessStart(new Date('2026-11-24T01:00:00Z'), berlin).toISOString()).toBe('2026-11-24T08:00:00.000Z');
  });

  it('ends the business day at 17:00 local, or the next working day when outside hours', () => {
    expect(businessDayEnd(new Date('2026-11-24T10:00:00Z'), berlin).toISOString()).toBe('2026-11-24T16:00:00.000Z');
    expect(businessDayEnd(new Date('2026-11-27T20:00:00Z'), berlin).toISOString()).toBe('2026-11-30T16:00:00.000Z');
  });

  it('moves a wall-clock time skipped by spring-forward to just after the gap', () => {
    expect(fromLocal({ year: 2026, month: 3, day: 29 }, '02:30', 'Europe/Berlin').toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    expect(toLocal(new Date('2026-03-29T01:30:00Z'), 'Europe/Berlin')).toMatchObject({
      hour: 3,
      minute: 30,
      weekday: 'sun',
    });
  });
});

describe('ack windows', () => {
  const snapshot = { ackWindow: { businessHoursMs: 5 * 60_000, overnightMs: 15 * 60_000 } };
  const file = { teams: [{ name: 'payments', alertsChannel: 'C1', ...berlin }] };
  it('is the business-hours window inside the team hours and the overnight one outside', () => {
    expect(ackWindowMs(snapshot, file, 'payments', new Date('2026-11-24T10:00:00Z'))).toBe(5 * 60_000);
    expect(ackWindowMs(snapshot, file, 'payments', new Date('2026-11-24T02:00:00Z'))).toBe(15 * 60_000);
  });
  it('follows DST: 08:30 UTC is business hours in Berlin in summer, not in winter', () => {
    expect(ackWindowMs(snapshot, file, 'payments', new Date('2026-07-07T07:30:00Z'))).toBe(5 * 60_000);
    expect(ackWindowMs(snapshot, file, 'payments', new Date('2026-12-08T07:30:00Z'))).toBe(15 * 60_000);
  });
});
