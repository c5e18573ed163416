// The `copilot:` section: where and when the copilot posts the weekly summary of its own figures (src/measure).
import { z } from 'zod';
import { timeZone } from './durations.js';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** "Mon 09:00" (day and 24-hour time, in the summary's zone), parsed once here to a weekday (0 = Sunday) and minutes. */
export const weeklyAtSchema = z
  .string()
  .regex(
    /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\s+([01]\d|2[0-3]):[0-5]\d$/i,
    'expected a weekday and a 24-hour time, like "Mon 09:00"',
  )
  .transform((v) => {
    const [day, time] = v.trim().split(/\s+/) as [string, string];
    const [h, m] = time.split(':').map(Number) as [number, number];
    return { weekday: DAYS.indexOf(day.slice(0, 3).toLowerCase() as (typeof DAYS)[number]), minuteOfDay: h * 60 + m };
  });
export type WeeklyAt = z.output<typeof weeklyAtSchema>;

export const copilotSettingsSchema = z
  .object({
    /** Slack channel id (C…) of the weekly summary; no summary without it. */
    summaryChannel: z
      .string()
      .regex(/^[CG][A-Z0-9]+$/, 'expected a Slack channel id (C…)')
      .optional(),
    /** When the summary is posted, weekly: "Mon 09:00" in `summaryTimeZone`. */
    summaryAt: weeklyAtSchema.prefault('Mon 09:00'),
    /** The summary's zone; default the first team's `timeZone`, else UTC. */
    summaryTimeZone: timeZone.optional(),
  })
  .prefault({});
