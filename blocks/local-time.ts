// Instants shown as wall-clock time in a time zone ("Tue 24 Nov 09:00"), the same on every ICU version.

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const formatters = new Map<string, Intl.DateTimeFormat>();

// Numeric parts only: ICU versions differ in how they spell weekday and month names, not in numbers.
function partsIn(at: Date, timeZone: string): Record<string, number> {
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
    });
    formatters.set(timeZone, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return parts;
}

/** "Tue 24 Nov 09:00" (or "Tue 09:00" without the date) in a time zone. */
export function formatLocal(at: Date, timeZone: string, withDate: boolean): string {
  const l = partsIn(at, timeZone);
  const day = WEEKDAYS[new Date(Date.UTC(l.year!, l.month! - 1, l.day!)).getUTCDay()]!;
  const time = `${String(l.hour).padStart(2, '0')}:${String(l.minute).padStart(2, '0')}`;
  return withDate ? `${day} ${l.day} ${MONTHS[l.month! - 1]} ${time}` : `${day} ${time}`;
}
