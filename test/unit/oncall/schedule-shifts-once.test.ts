// Who is on call is asked hundreds of times within one shift under a burst of pages: a schedule's shifts are computed
// once (each a score of time-zone readings), and the answers are the same as computing them afresh, across hand-offs
// and a DST change.
import { describe, expect, it, vi } from 'vitest';
import { parseFileConfig } from '../../../src/config.js';

// Counts the time-zone readings (lib/wall-clock.ts) the rotation math makes.
const readings = vi.hoisted(() => ({ n: 0 }));
vi.mock('../../../lib/wall-clock.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../lib/wall-clock.js')>();
  return {
    ...real,
    wallClock: (...args: Parameters<typeof real.wallClock>) => {
      readings.n++;
      return real.wallClock(...args);
    },
  };
});

const { currentOncall } = await import('../../../src/oncall/schedules.js');

const schedules = () =>
  parseFileConfig({
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
        start: '2026-01-05T09:00:00+01:00',
        handoffTime: '09:00',
        length: '7d',
      },
    ],
  });

describe('currentOncall of a whole-day rotation', () => {
  it('reads no time zone for a question in a shift it has seen', () => {
    const file = schedules();
    const at = new Date('2026-11-24T10:00:00Z');
    const first = currentOncall(file, 'web', at);
    expect(readings.n).toBeGreaterThan(0);
    readings.n = 0;
    for (let i = 0; i < 100; i++) expect(currentOncall(file, 'web', new Date(at.getTime() + i * 1000))).toEqual(first);
    expect(readings.n).toBe(0);
  });

  it('answers as a fresh computation does, hour by hour across hand-offs and the October DST change', () => {
    const warm = schedules();
    for (let h = 0; h < 24 * 7 * 4; h += 5) {
      const at = new Date(Date.parse('2026-10-12T00:00:00Z') + h * 3_600_000);
      // A config parsed afresh is a new schedule object: nothing known about it yet.
      expect(currentOncall(warm, 'web', at)).toEqual(currentOncall(schedules(), 'web', at));
    }
    // The hand-off after the change stays at 09:00 Berlin time (08:00Z in winter).
    expect(currentOncall(warm, 'web', new Date('2026-10-26T07:59:00Z')).shiftEnd).toEqual(
      new Date('2026-10-26T08:00:00Z'),
    );
  });
});
