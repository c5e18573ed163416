// Rotation math: who is on call for a schedule at an instant, honouring overrides, and when the shift changes.
import type { FileConfig, ScheduleDef } from '../config.js';
import { NotFoundError } from '../errors.js';
import { addDays, fromLocal, toLocal } from './business-hours.js';

const DAY_MS = 86_400_000;

/** An override: `user` is primary on call from `start` (inclusive) to `end` (exclusive). */
export interface ScheduleOverride {
  user: string;
  start: Date;
  end: Date;
}

/** Who is on call at an instant. Users are the config's user ids. */
export interface OnCallShift {
  schedule: string;
  primary: string;
  /** The next member of the rotation; absent for a one-person rotation. */
  secondary?: string;
  /** Who is primary from shiftEnd. */
  next: string;
  shiftStart: Date;
  shiftEnd: Date;
  /** True when the primary comes from an override rather than the rotation. */
  overridden: boolean;
}

interface RotationShift {
  index: number;
  start: Date;
  end: Date;
}

// A schedule's shifts by index, each computed once: they depend on the schedule alone, a whole-day one costs about
// twenty time-zone readings, and a burst of pages asks who is on call hundreds of times within one shift (three shifts
// a question). Kept per schedule object (a new config, new objects), a few dozen at most.
const knownShifts = new WeakMap<ScheduleDef, Map<number, { start: number; end: number }>>();
const MAX_KNOWN_SHIFTS = 64;

/** The rotation's k-th shift (see computeShiftBounds), from knownShifts when computed before. */
function shiftBounds(s: ScheduleDef, k: number): { start: Date; end: Date } {
  let known = knownShifts.get(s);
  if (!known) knownShifts.set(s, (known = new Map()));
  let b = known.get(k);
  if (!b) {
    const computed = computeShiftBounds(s, k);
    b = { start: computed.start.getTime(), end: computed.end.getTime() };
    if (known.size >= MAX_KNOWN_SHIFTS) known.clear();
    known.set(k, b);
  }
  return { start: new Date(b.start), end: new Date(b.end) };
}

/**
 * The rotation's k-th shift. Rotations whose length is whole days hand off at `handoffTime` wall-clock time in the
 * schedule's time zone, so a weekly shift stays at 09:00 across DST; other lengths step in fixed milliseconds.
 */
function computeShiftBounds(s: ScheduleDef, k: number): { start: Date; end: Date } {
  const origin = new Date(s.start);
  if (s.length % DAY_MS === 0) {
    const days = s.length / DAY_MS;
    const firstDay = toLocal(origin, s.timeZone);
    const at = (i: number) => fromLocal(addDays(firstDay, i * days), s.handoffTime, s.timeZone);
    return { start: at(k), end: at(k + 1) };
  }
  return { start: new Date(origin.getTime() + k * s.length), end: new Date(origin.getTime() + (k + 1) * s.length) };
}

function rotationShiftAt(s: ScheduleDef, at: Date): RotationShift {
  const origin = shiftBounds(s, 0).start.getTime();
  let k = Math.floor((at.getTime() - origin) / s.length);
  for (;;) {
    const b = shiftBounds(s, k);
    if (at < b.start) k -= 1;
    else if (at >= b.end) k += 1;
    else return { index: k, ...b };
  }
}

function memberAt(s: ScheduleDef, index: number): string {
  const n = s.members.length;
  return s.members[((index % n) + n) % n]!;
}

/** The config's overrides of a schedule, plus any recorded elsewhere (the schedule_overrides table). */
function overridesOf(s: ScheduleDef, extra: ScheduleOverride[]): ScheduleOverride[] {
  return [...s.overrides.map((o) => ({ user: o.user, start: new Date(o.start), end: new Date(o.end) })), ...extra];
}

function primaryAt(s: ScheduleDef, at: Date, overrides: ScheduleOverride[]): { user: string; overridden: boolean } {
  // The override recorded last wins where several overlap.
  for (let i = overrides.length - 1; i >= 0; i--) {
    const o = overrides[i]!;
    if (o.start <= at && at < o.end) return { user: o.user, overridden: true };
  }
  return { user: memberAt(s, rotationShiftAt(s, at).index), overridden: false };
}

/** Finds a schedule by name in the config; throws NotFoundError naming it. */
export function findSchedule(file: Pick<FileConfig, 'schedules'>, name: string): ScheduleDef {
  const s = file.schedules.find((x) => x.name === name);
  if (!s) throw new NotFoundError(`schedule "${name}"`);
  return s;
}

/**
 * Who is on call for a config rotation at `at`: primary (an override wins over the rotation), secondary (the next
 * member of the rotation), the bounds of the current shift (cut short by any override that starts or ends inside
 * it) and who takes over at its end. Pure: `extraOverrides` are the recorded swaps.
 */
export function currentOncall(
  file: Pick<FileConfig, 'schedules'>,
  scheduleName: string,
  at: Date,
  extraOverrides: ScheduleOverride[] = [],
): OnCallShift {
  const s = findSchedule(file, scheduleName);
  const overrides = overridesOf(s, extraOverrides);
  const rotation = rotationShiftAt(s, at);
  const primary = primaryAt(s, at, overrides);
  let start = rotation.start;
  let end = rotation.end;
  for (const o of overrides) {
    if (o.start > at && o.start < end) end = o.start;
    if (o.end > at && o.end < end) end = o.end;
    if (o.start <= at && o.start > start) start = o.start;
    if (o.end <= at && o.end > start) start = o.end;
  }
  const rotationPrimary = memberAt(s, rotation.index);
  let secondary: string | undefined = memberAt(s, rotation.index + 1);
  if (secondary === primary.user) secondary = rotationPrimary !== primary.user ? rotationPrimary : undefined;
  const shift: OnCallShift = {
    schedule: s.name,
    primary: primary.user,
    next: primaryAt(s, end, overrides).user,
    shiftStart: start,
    shiftEnd: end,
    overridden: primary.overridden,
  };
  if (secondary !== undefined) shift.secondary = secondary;
  return shift;
}

/** The first shift change strictly after `at` (rotation boundaries and override edges alike). */
export function nextShiftChange(
  file: Pick<FileConfig, 'schedules'>,
  scheduleName: string,
  at: Date,
  extraOverrides: ScheduleOverride[] = [],
): Date {
  return currentOncall(file, scheduleName, at, extraOverrides).shiftEnd;
}
