// Wall-clock time in a team's time zone: business hours, the next start of business, the end of the business day.
import { wallClock, type WallClock } from '../../lib/wall-clock.js';
import type { Team } from '../config.js';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A local calendar date and wall-clock time in some time zone. */
export type LocalTime = Omit<WallClock, 'weekday'> & { weekday: Weekday };

/** The wall-clock reading of an instant in a time zone. */
export function toLocal(at: Date, timeZone: string): LocalTime {
  const { weekday, ...l } = wallClock(at, timeZone);
  return { ...l, weekday: WEEKDAYS[weekday]! };
}

function offsetMs(at: number, timeZone: string): number {
  const l = toLocal(new Date(at), timeZone);
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second) - Math.floor(at / 1000) * 1000;
}

/**
 * The instant a wall-clock time happens in a time zone. A time skipped by a DST change (02:30 on a spring-forward
 * night) moves forward by the gap; a time that happens twice (fall-back night) resolves to one of the two.
 */
export function fromLocal(date: { year: number; month: number; day: number }, hhmm: string, timeZone: string): Date {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const guess = Date.UTC(date.year, date.month - 1, date.day, h, m);
  const first = offsetMs(guess, timeZone);
  const candidate = guess - first;
  const second = offsetMs(candidate, timeZone);
  if (second === first) return new Date(candidate);
  const retry = guess - second;
  if (offsetMs(retry, timeZone) === second) return new Date(retry);
  // In a spring-forward gap neither offset round-trips; the offset from before the change lands just after the gap.
  return new Date(guess - Math.min(first, second));
}

/** Adds whole calendar days to a local date. */
export function addDays(
  date: { year: number; month: number; day: number },
  days: number,
): { year: number; month: number; day: number } {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

export type BusinessHours = Pick<Team, 'timeZone' | 'businessHours'>;

/** True when the instant falls inside the team's business hours (start inclusive, end exclusive) on a working day. */
export function isBusinessHours(at: Date, team: BusinessHours): boolean {
  const l = toLocal(at, team.timeZone);
  if (!team.businessHours.days.includes(l.weekday)) return false;
  const minute = l.hour * 60 + l.minute;
  return minute >= minutesOf(team.businessHours.start) && minute < minutesOf(team.businessHours.end);
}

/** The next start of business hours strictly after `at` (the start of the current day's hours if still ahead). */
export function nextBusinessStart(at: Date, team: BusinessHours): Date {
  const today = toLocal(at, team.timeZone);
  for (let i = 0; i <= 14; i++) {
    const date = addDays(today, i);
    const weekday = WEEKDAYS[new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay()]!;
    if (!team.businessHours.days.includes(weekday)) continue;
    const start = fromLocal(date, team.businessHours.start, team.timeZone);
    if (start.getTime() > at.getTime()) return start;
  }
  throw new Error('business hours have no working day');
}

/** The end of the business day that `at` falls in (or, outside hours, of the next business day). */
export function businessDayEnd(at: Date, team: BusinessHours): Date {
  const day = isBusinessHours(at, team)
    ? toLocal(at, team.timeZone)
    : toLocal(nextBusinessStart(at, team), team.timeZone);
  return fromLocal(day, team.businessHours.end, team.timeZone);
}

/** Business hours for a team name, falling back to 09:00–17:00 UTC on weekdays for an unknown or absent team. */
export function teamHours(teams: Team[], name: string | null | undefined): BusinessHours {
  return (
    teams.find((t) => t.name === name) ?? {
      timeZone: 'UTC',
      businessHours: { start: '09:00', end: '17:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
    }
  );
}
