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
  return String(Number(x.toFixed(decimals)));
}

/** A 0–1 share as percent: 0.127 → "12.7%", 0.00117 → "0.12%", 1 → "100%". */
export function formatPercent(ratio: number): string {
  const p = ratio * 100;
  if (p !== 0 && Math.abs(p) < 0.01) return p > 0 ? '<0.01%' : '>-0.01%';
  return `${humanNumber(p, Math.abs(p) < 1 ? 2 : 3)}%`;
}

/** Seconds as people say them: 0.267 → "267 ms", 1.5 → "1.5 s", 150 → "2.5 min", 7200 → "2 h". */
export function formatSeconds(s: number): string {
  const abs = Math.abs(s);
  if (abs === 0) return '0 ms';
  if (abs < 1) return `${humanNumber(s * 1000)} ms`;
  if (abs < 60) return `${humanNumber(s)} s`;
  if (abs < 3600) return `${humanNumber(s / 60, 2)} min`;
  if (abs < 86_400) return `${humanNumber(s / 3600, 2)} h`;
  return `${humanNumber(s / 86_400, 2)} days`;
}

/** Bytes in binary units: MiB below a GiB, GiB above (KiB and B for small values). */
export function formatBytes(b: number): string {
  const abs = Math.abs(b);
  if (abs >= 2 ** 30) return `${humanNumber(b / 2 ** 30)} GiB`;
  if (abs >= 2 ** 20) return `${humanNumber(b / 2 ** 20)} MiB`;
  if (abs >= 2 ** 10) return `${humanNumber(b / 2 ** 10)} KiB`;
  return `${humanNumber(b)} B`;
}

/** A span of time relative to now: "in 3 days", "in 5 hours", "2 hours ago". */
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
    if (abs >= size) {
      const n = Math.floor(abs / size);
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
