// Instants shown as wall-clock time in a time zone ("Tue 24 Nov 09:00"), the same on every ICU version.
import { wallClock } from '../lib/wall-clock.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Tue 24 Nov 09:00" (or "Tue 09:00" without the date) in a time zone. */
export function formatLocal(at: Date, timeZone: string, withDate: boolean): string {
  const l = wallClock(at, timeZone);
  const day = WEEKDAYS[l.weekday]!;
  const time = `${String(l.hour).padStart(2, '0')}:${String(l.minute).padStart(2, '0')}`;
  return withDate ? `${day} ${l.day} ${MONTHS[l.month - 1]} ${time}` : `${day} ${time}`;
}
