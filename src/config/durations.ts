// Durations (text with a unit in the file, milliseconds inside the code), times of day, time zones, weekdays, severities.
import { z } from 'zod';

/**
 * A duration in the file: text with a unit ("30s", "5m"), parsed here, once, to milliseconds, the only unit inside the
 * code. A bare number is refused: it is ambiguous (seconds? milliseconds?), and reading one the wrong way once made
 * every escalation run 1000x slow.
 */
export const durationSchema = z
  .string({
    error: (issue) =>
      typeof issue.input === 'number'
        ? `expected a duration with a unit, like "${issue.input}s" or "${issue.input}ms", not a bare number`
        : 'expected a duration like 30s, 5m, 2h, 1d',
  })
  .regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'expected a duration like 30s, 5m, 2h, 1d')
  .transform((v) => parseDuration(v));

/** Parses "30s", "5m", "2h", "1d", "250ms" to milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text}`);
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Math.round(n * unit);
}

export const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)');
export const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected an IANA time zone such as Europe/Berlin' },
);
export const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
export const severity = z.enum(['sev1', 'sev2', 'sev3']);
