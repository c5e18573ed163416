// The wall-clock reading of an instant in an IANA time zone, from Intl's numeric parts only (ICU versions differ in how
// they spell weekday and month names, not in numbers). Pure, with no import of the project: src/ reads business hours
// with it and blocks/ shows times with it.

/** Weekday numbers as Date.getUTCDay() gives them: 0 is Sunday. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** What a wall clock in `timeZone` shows at the instant `at`. */
export function wallClock(at: Date, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const { year, month, day, hour, minute, second } = parts as Omit<WallClock, 'weekday'>;
  return { year, month, day, hour, minute, second, weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay() };
}

const pad = (n: number) => String(n).padStart(2, '0');
const zoneNames = new Map<string, Intl.DateTimeFormat>();

/**
 * The zone's short name at `at` as people read it next to a time: "UTC", "EST", or an offset such as "GMT+1" where
 * the zone has no common abbreviation in English.
 */
export function zoneName(at: Date | number, timeZone: string): string {
  let f = zoneNames.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' });
    zoneNames.set(timeZone, f);
  }
  return f.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}

/**
 * "14:05": the hour and minute the wall clock in `timeZone` shows at `at`. Seconds are dropped, never rounded up, so
 * every place that shows one instant (a chart's marker, the briefing, the console) shows the same minute.
 */
export function formatClockTime(at: Date | number, timeZone: string): string {
  const l = wallClock(new Date(at), timeZone);
  return `${pad(l.hour)}:${pad(l.minute)}`;
}

/** "14:05 GMT+1": a time within the day people are in, in `timeZone`, with the zone named. */
export function formatTimeOfDay(at: Date | number, timeZone: string): string {
  return `${formatClockTime(at, timeZone)} ${zoneName(at, timeZone)}`;
}

/**
 * "2026-11-30 14:05 GMT+1" (with `seconds`: "2026-11-30 14:05:09 GMT+1"): a date and time people read, in the team's
 * zone, named. The minute is formatClockTime's.
 */
export function formatDateTime(at: Date | number, timeZone: string, opts: { seconds?: boolean } = {}): string {
  const l = wallClock(new Date(at), timeZone);
  const time = `${pad(l.hour)}:${pad(l.minute)}${opts.seconds ? `:${pad(l.second)}` : ''}`;
  return `${l.year}-${pad(l.month)}-${pad(l.day)} ${time} ${zoneName(at, timeZone)}`;
}
