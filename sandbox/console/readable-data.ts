// The incidents page's event and span data for people: each value through the one value formatter
// (src/investigation/format-value.ts) by what its key says it is, never a raw float, Slack ts or JSON blob.
import { formatConfidence, formatPercent, formatSeconds, humanNumber } from '../../src/investigation/format-value.js';

/** "nextInMs" → "next in", "burn_rate1h" → "burn rate1h": the key as words, its unit suffix dropped. */
export function keyLabel(key: string): string {
  return key
    .replace(/Ms$/, '')
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
}

/** A Slack message ts ("1796005737.847000") or an ISO time as a time of day in UTC with its date. */
function readableTime(value: unknown, when: (d: Date) => string): string | undefined {
  if (typeof value === 'string' && /^\d{9,11}\.\d{6}$/.test(value)) return when(new Date(Number(value) * 1000));
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && !Number.isNaN(Date.parse(value)))
    return when(new Date(value));
  return undefined;
}

/** One value, formatted by what its key says it is; objects and lists read as "key: value" pairs. */
export function readableValue(key: string, value: unknown, when: (d: Date) => string, depth = 0): string {
  const time = readableTime(value, when);
  if (time) return time;
  if (typeof value === 'number') {
    if (/confidence/i.test(key)) return formatConfidence(value);
    if (/Ms$|_ms$/.test(key)) return formatSeconds(value / 1000);
    if (/remaining|ratio|share|budget|objective|percent/i.test(key)) return formatPercent(value);
    return humanNumber(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return '';
  if (depth >= 2) return Array.isArray(value) ? `${value.length} items` : '…';
  if (Array.isArray(value)) return value.map((v) => readableValue(key, v, when, depth + 1)).join('; ');
  return Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${keyLabel(k)}: ${readableValue(k, v, when, depth + 1)}`)
    .join(', ');
}
