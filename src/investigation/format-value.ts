// Values as people read them, by unit (percent, ms/s, MiB/GiB, req/s, expiry): the investigation's and verification's
// evidence text is written with these (domain text, formatted once in the core; blocks/ shows it as given).

/** What a number measures. Ratios are 0–1 shares shown as percent; latency is in seconds, as Prometheus reports it. */
export type Unit = 'ratio' | 'seconds' | 'bytes' | 'per_second' | 'count' | 'expiry' | 'days';

const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A number with at most `digits` significant digits, no exponent, no trailing zeros ("0.00117" → "0.00117", "12.70" → "12.7"). */
export function humanNumber(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 10 ** digits) return GROUPED.format(Math.round(x));
  const decimals = Math.min(20, Math.max(0, digits - 1 - Math.floor(Math.log10(abs))));
  const rounded = Number(x.toFixed(decimals));
  // 999.6 rounds to 1000: group it like every other number of four digits ("1,000"), never "1000".
  if (Math.abs(rounded) >= 10 ** digits) return GROUPED.format(rounded);
  return String(rounded);
}

/**
 * A value in the largest unit whose rounded figure stays below that unit's limit: the unit is chosen after rounding,
 * so 3599 s is "1 h" (not "60 min") and 1023.9 MiB is "1 GiB" (not "1,024 MiB"). `steps` go from small to large.
 */
function scaled(
  x: number,
  steps: ReadonlyArray<{ size: number; name: string; limit: number; digits: number; one?: string }>,
): string {
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const next = steps[i + 1];
    const text = humanNumber(x / step.size, step.digits);
    const shown = Math.abs(Number(text.replace(/,/g, '')));
    if (next === undefined || shown < step.limit) return `${text} ${shown === 1 && step.one ? step.one : step.name}`;
  }
  return String(x);
}

/** A 0–1 share as percent: 0.127 → "12.7%", 0.00117 → "0.12%", 1 → "100%". */
export function formatPercent(ratio: number): string {
  const p = ratio * 100;
  if (p !== 0 && Math.abs(p) < 0.01) return p > 0 ? '<0.01%' : '>-0.01%';
  const text = humanNumber(p, Math.abs(p) < 1 ? 2 : 3);
  // Near 100% keep the digits that tell it from 100% (0.99951 → "99.95%", never "100%").
  if (p > 99 && p < 100 && Number(text) >= 100) {
    for (let digits = 4; digits <= 6; digits++) {
      const finer = humanNumber(p, digits);
      if (Number(finer) < 100) return `${finer}%`;
    }
    return '>99.99%';
  }
  return `${text}%`;
}

/** Seconds as people say them: 0.267 → "267 ms", 1.5 → "1.5 s", 150 → "2.5 min", 7200 → "2 h". */
export function formatSeconds(s: number): string {
  if (s === 0) return '0 ms';
  const abs = Math.abs(s);
  const steps = [
    { size: 0.001, name: 'ms', limit: 1000, digits: 3 },
    { size: 1, name: 's', limit: 60, digits: 3 },
    { size: 60, name: 'min', limit: 60, digits: 3 },
    { size: 3600, name: 'h', limit: 24, digits: 3 },
    { size: 86_400, name: 'days', limit: Infinity, digits: 2, one: 'day' },
  ];
  // Start at the unit the magnitude calls for; `scaled` moves up when rounding reaches the unit's limit.
  const start = abs < 1 ? 0 : abs < 60 ? 1 : abs < 3600 ? 2 : abs < 86_400 ? 3 : 4;
  return scaled(s, steps.slice(start));
}

/** Bytes in binary units: MiB below a GiB, GiB above (KiB and B for small values). */
export function formatBytes(b: number): string {
  const abs = Math.abs(b);
  const steps = [
    { size: 1, name: 'B', limit: 1024, digits: 3 },
    { size: 2 ** 10, name: 'KiB', limit: 1024, digits: 3 },
    { size: 2 ** 20, name: 'MiB', limit: 1024, digits: 3 },
    { size: 2 ** 30, name: 'GiB', limit: Infinity, digits: 3 },
  ];
  const start = abs >= 2 ** 30 ? 3 : abs >= 2 ** 20 ? 2 : abs >= 2 ** 10 ? 1 : 0;
  return scaled(b, steps.slice(start));
}

/**
 * A span of time relative to now: "in 3 days", "in 47 hours", "2 hours ago". A unit is used from two of it up
 * (47 hours stays "47 hours", never "1 day"), and the count is rounded.
 */
export function formatRelative(deltaMs: number): string {
  const abs = Math.abs(deltaMs);
  const steps: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  let text = 'now';
  for (const [size, name] of steps) {
    if (abs >= 2 * size || (size === 1000 && abs >= size)) {
      const n = Math.round(abs / size);
      text = `${n} ${name}${n === 1 ? '' : 's'}`;
      break;
    }
  }
  if (text === 'now') return 'now';
  return deltaMs >= 0 ? `in ${text}` : `${text} ago`;
}

/** One value in its unit. `expiry` is a Unix time in seconds and needs `nowMs` (the injected clock's time). */
export function formatValue(value: number, unit: Unit, opts: { nowMs?: number } = {}): string {
  if (!Number.isFinite(value)) return String(value);
  switch (unit) {
    case 'ratio':
      return formatPercent(value);
    case 'seconds':
      return formatSeconds(value);
    case 'bytes':
      return formatBytes(value);
    case 'per_second':
      return `${humanNumber(value)} req/s`;
    case 'expiry': {
      if (opts.nowMs === undefined) return new Date(value * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const rel = formatRelative(value * 1000 - opts.nowMs);
      return value * 1000 >= opts.nowMs ? `expires ${rel}` : `expired ${rel}`;
    }
    case 'days':
      return `${humanNumber(value, 2)} day${value === 1 ? '' : 's'}`;
    case 'count':
      return humanNumber(value);
  }
}

/** The unit of each signal role the investigation reads (unknown roles are plain counts). */
export function unitOfRole(role: string): Unit {
  if (role === 'request_rate' || role === 'queue_processed') return 'per_second';
  if (role.includes('latency')) return 'seconds';
  if (role === 'memory') return 'bytes';
  if (role === 'cert_expiry') return 'expiry';
  if (
    role.includes('error') ||
    role === 'cpu' ||
    role === 'disk_free' ||
    role === 'db_connections' ||
    role === 'probe_success'
  )
    return 'ratio';
  return 'count';
}

/** A signal's value: `formatValue` in the role's unit. */
export function formatRoleValue(role: string, value: number, opts: { nowMs?: number } = {}): string {
  return formatValue(value, unitOfRole(role), opts);
}

/** A role's name for people: "latency_p99" → "p99 latency", "error_ratio" → "error ratio". */
export function roleLabel(role: string): string {
  const m = /^(.*)_p(\d{2})$/.exec(role);
  if (m) return `p${m[2]} ${m[1]!.replace(/_/g, ' ')}`;
  return role.replace(/_/g, ' ');
}

/** How many times something is (a burn rate, a traffic jump): 14.4 → "14×", 3.25 → "3.3×", 1.07 → "1.1×". */
export function formatFactor(x: number): string {
  return `${humanNumber(x, 2)}×`;
}

/** A confidence (0–1) as a whole percent, clamped: 0.826 → "83%". */
export function formatConfidence(confidence: number): string {
  return `${Math.round(Math.max(0, Math.min(1, confidence)) * 100)}%`;
}
