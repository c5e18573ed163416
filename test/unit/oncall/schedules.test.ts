import { describe, expect, it } from 'vitest';
import { parseFileConfig } from '../../../src/config.js';
import { currentOncall } from '../../../src/oncall/schedules.js';
import { nextPosition, stepDelayMs } from '../../../src/oncall/escalation-policy.js';

const file = parseFileConfig({
  users: [
    { id: 'ana', name: 'Ana' },
    { id: 'bo', name: 'Bo' },
    { id: 'cy', name: 'Cy' },
  ],
  schedules: [
    {
      name: 'web',
      timeZone: 'Europe/Berlin',
      members: ['ana', 'bo', 'cy'],
      start: '2026-03-02T09:00:00+01:00',
      handoffTime: '09:00',
      length: '7d',
      overrides: [{ user: 'cy', start: '2026-03-31T12:00:00Z', end: '2026-04-01T12:00:00Z' }],
    },
    { name: 'solo', members: ['ana'], start: '2026-01-01T00:00:00Z', length: '12h' },
  ],
});

const at = (iso: string) => new Date(iso);

describe('currentOncall', () => {
  it('rotates weekly at the hand-off time, with the next member as secondary', () => {
    expect(currentOncall(file, 'web', at('2026-03-09T07:59:00Z'))).toEqual({
      schedule: 'web',
      primary: 'ana',
      secondary: 'bo',
      next: 'bo',
      shiftStart: at('2026-03-02T08:00:00Z'),
      shiftEnd: at('2026-03-09T08:00:00Z'),
      overridden: false,
    });
    expect(currentOncall(file, 'web', at('2026-03-09T08:00:00Z')).primary).toBe('bo');
  });

  it('keeps the hand-off at 09:00 local across DST (08:00 UTC in winter, 07:00 UTC in summer)', () => {
    const shift = currentOncall(file, 'web', at('2026-03-29T12:00:00Z'));
    expect(shift.shiftStart).toEqual(at('2026-03-23T08:00:00Z'));
    expect(shift.shiftEnd).toEqual(at('2026-03-30T07:00:00Z'));
    expect(currentOncall(file, 'web', at('2026-03-30T07:00:00Z')).primary).toBe('bo');
  });

  it('wraps around the members and works before the rotation start', () => {
    expect(currentOncall(file, 'web', at('2026-03-16T09:00:00Z')).primary).toBe('cy');
    expect(currentOncall(file, 'web', at('2026-03-23T09:00:00Z')).primary).toBe('ana');
    expect(currentOncall(file, 'web', at('2026-02-24T00:00:00Z')).primary).toBe('cy');
  });

  it('honours a config override and cuts the shift at its edges', () => {
    const before = currentOncall(file, 'web', at('2026-03-31T11:00:00Z'));
    expect(before).toMatchObject({ primary: 'bo', next: 'cy', shiftEnd: at('2026-03-31T12:00:00Z') });
    expect(currentOncall(file, 'web', at('2026-03-31T13:00:00Z'))).toEqual({
      schedule: 'web',
      primary: 'cy',
      secondary: 'bo',
      next: 'bo',
      shiftStart: at('2026-03-31T12:00:00Z'),
      shiftEnd: at('2026-04-01T12:00:00Z'),
      overridden: true,
    });
  });

  it('honours a recorded swap, the latest swap winning where two overlap', () => {
    const swaps = [
      { user: 'ana', start: at('2026-03-10T00:00:00Z'), end: at('2026-03-12T00:00:00Z') },
      { user: 'cy', start: at('2026-03-11T00:00:00Z'), end: at('2026-03-11T12:00:00Z') },
    ];
    expect(currentOncall(file, 'web', at('2026-03-10T06:00:00Z'), swaps)).toMatchObject({
      primary: 'ana',
      secondary: 'cy',
      shiftEnd: at('2026-03-11T00:00:00Z'),
      next: 'cy',
    });
    expect(currentOncall(file, 'web', at('2026-03-11T06:00:00Z'), swaps)).toMatchObject({
      primary: 'cy',
      secondary: 'bo',
      overridden: true,
    });
    expect(currentOncall(file, 'web', at('2026-03-12T06:00:00Z'), swaps)).toMatchObject({
      primary: 'bo',
      overridden: false,
    });
  });

  it('has no secondary in a one-person rotation and steps fixed lengths that are not whole days', () => {
    expect(currentOncall(file, 'solo', at('2026-01-01T13:00:00Z'))).toEqual({
      schedule: 'solo',
      primary: 'ana',
      next: 'ana',
      shiftStart: at('2026-01-01T12:00:00Z'),
      shiftEnd: at('2026-01-02T00:00:00Z'),
      overridden: false,
    });
  });

  it('throws for an unknown schedule', () => {
    expect(() => currentOncall(file, 'nope', new Date())).toThrow('schedule "nope" not found');
  });
});

describe('escalation chain positions', () => {
  const snapshot = {
    policy: 'p',
    source: 'config' as const,
    team: null,
    steps: [
      { targets: [{ type: 'user' as const, id: 'ana' }], delayMs: 60_000 },
      { targets: [{ type: 'user' as const, id: 'bo' }], delayMs: null },
    ],
    ackWindow: { businessHoursMs: 300_000, overnightMs: 900_000 },
    repeat: 1,
    frozenAt: '2026-01-01T00:00:00Z',
  };
  it('walks the steps, repeats the chain, then ends', () => {
    expect(nextPosition(snapshot, 0, 0)).toEqual({ round: 0, step: 1 });
    expect(nextPosition(snapshot, 0, 1)).toEqual({ round: 1, step: 0 });
    expect(nextPosition(snapshot, 1, 1)).toBeUndefined();
  });
  it("uses a step's own delay, else the ack window of the hour it runs in", () => {
    expect(stepDelayMs(snapshot, 0, { teams: [] }, at('2026-11-24T03:00:00Z'))).toBe(60_000);
    expect(stepDelayMs(snapshot, 1, { teams: [] }, at('2026-11-24T03:00:00Z'))).toBe(900_000);
    expect(stepDelayMs(snapshot, 1, { teams: [] }, at('2026-11-24T10:00:00Z'))).toBe(300_000);
  });
});
