// Judging recovery after a remediation: a pure rule over the SLI read before the incident and over the verify window.
import type { AppConfig } from '../config.js';
import type { Series } from '../investigation/evidence-model.js';
import { formatRoleValue, roleLabel } from '../investigation/format-value.js';

/** Roles where a higher value is healthier; every other role is "lower is better" (error ratio, latency, ...). */
const HIGHER_IS_BETTER = new Set(['probe_success', 'disk_free', 'queue_processed', 'cert_expiry', 'request_rate']);

/** How far above its pre-incident baseline a lower-is-better SLI may sit and still count as recovered. */
const BASELINE_TOLERANCE = 1.5;
/** Without a baseline or SLO, the SLI must have fallen to this share of its peak during the incident. */
const PEAK_SHARE = 0.2;
/** Absolute slack so that a baseline of 0 does not demand exactly 0. */
const EPSILON = 1e-3;

/** The SLI's values around the incident, split by when they were read. */
export interface RecoveryInput {
  role: string;
  /** Values before the incident opened (the baseline). */
  before: number[];
  /** Values while the incident ran, up to the action. */
  during: number[];
  /** Values over the verify window after the action. */
  after: number[];
  /**
   * Values read just before the action started (the last steps up to its start). When every one was already within
   * the limit, the SLI had recovered on its own and the action is not credited.
   */
  atAction?: number[];
  /** The SLO's paging limit for this SLI, when an SLO covers it. */
  sloLimit?: number;
}

/** Whether the SLI recovered, the value judged and the limit it was judged against. */
export interface RecoveryVerdict {
  /** null when the SLI could not be read over the window. */
  recovered: boolean | null;
  /** The value judged: the mean of the second half of the window. */
  value: number | null;
  limit: number | null;
  /** One line for the channel: what was read and against what. */
  detail: string;
  /** False when the SLI had recovered before the action ran: healthy now, but not thanks to the action. */
  credited?: boolean;
}

/**
 * Recovered when the SLI over the second half of the verify window (the first half still carries the rate's lag)
 * is back within a limit: the SLO's slow-burn paging level when an SLO covers it, else 1.5× the pre-incident
 * median, else a fall to a fifth of the incident's peak.
 */
export function judgeRecovery(input: RecoveryInput): RecoveryVerdict {
  const higherIsBetter = HIGHER_IS_BETTER.has(input.role);
  if (input.after.length === 0) {
    return {
      recovered: null,
      value: null,
      limit: null,
      detail: `No ${roleLabel(input.role)} data over the verify window, so recovery is unknown.`,
    };
  }
  const tail = input.after.slice(Math.floor(input.after.length / 2));
  const value = mean(tail);
  let limit: number | null = null;
  let basis = '';
  if (input.sloLimit !== undefined && !higherIsBetter) {
    limit = input.sloLimit;
    basis = 'the SLO paging level';
  } else if (input.before.length > 0) {
    const base = median(input.before);
    limit = higherIsBetter ? base / BASELINE_TOLERANCE : Math.max(base * BASELINE_TOLERANCE, base + EPSILON);
    basis = `the pre-incident baseline ${fmt(input.role, base)}`;
  } else if (input.during.length > 0) {
    const peak = higherIsBetter ? Math.min(...input.during) : Math.max(...input.during);
    limit = higherIsBetter ? peak / PEAK_SHARE : peak * PEAK_SHARE;
    basis = `a fifth of the incident peak ${fmt(input.role, peak)}`;
  }
  if (limit === null) {
    return {
      recovered: null,
      value,
      limit: null,
      detail: `${roleLabel(input.role)} is ${fmt(input.role, value)} but there is no baseline to judge it against.`,
    };
  }
  const within = (v: number) => (higherIsBetter ? v >= limit! : v <= limit!);
  const recovered = within(value);
  const cmp = recovered ? (higherIsBetter ? 'at or above' : 'at or below') : higherIsBetter ? 'below' : 'above';
  const atAction = input.atAction ?? [];
  if (recovered && atAction.length > 0 && atAction.every(within)) {
    const was = atAction[atAction.length - 1]!;
    return {
      recovered,
      credited: false,
      value,
      limit,
      detail: `${roleLabel(input.role)} recovered before the action ran; not credited: it was already ${fmt(input.role, was)} when the action started and is ${fmt(input.role, value)} now, ${cmp} ${fmt(input.role, limit)} (${basis}).`,
    };
  }
  return {
    recovered,
    ...(recovered ? { credited: true } : {}),
    value,
    limit,
    detail: `${roleLabel(input.role)} is ${fmt(input.role, value)}, ${cmp} ${fmt(input.role, limit)} (${basis}).`,
  };
}

/** A fast burn is judged on at least this many readings after the action. */
const FAST_BURN_READINGS = 2;
/** How much worse than at the action the last reading must be to call the SLI worse, not merely slow to recover. */
const WORSE_BY = 1.1;

/**
 * Whether the SLI is worse since the action and burning the SLO fast: at least two readings after it, every one above
 * the SLO's fast-burn level, and the last one above its value when the action started by a tenth. An SLI slow to come
 * back (a rate's lag) falls from there and is left to the verify window; only a lower-is-better SLI with an SLO can
 * burn.
 */
export function judgeFastBurn(input: {
  role: string;
  after: number[];
  atAction: number[];
  fastLimit: number | undefined;
}): { burning: boolean; detail: string } {
  const { role, after, atAction, fastLimit } = input;
  const was = atAction.at(-1);
  if (fastLimit === undefined || HIGHER_IS_BETTER.has(role) || was === undefined || after.length < FAST_BURN_READINGS)
    return { burning: false, detail: '' };
  const last = after[after.length - 1]!;
  const burning = after.every((v) => v > fastLimit) && last > was * WORSE_BY;
  return {
    burning,
    detail: burning
      ? `${roleLabel(role)} is ${fmt(role, last)} and rising since the action (${fmt(role, was)} when it started), above the SLO's fast-burn level ${fmt(role, fastLimit)}: worse, not recovering.`
      : '',
  };
}

/** The SLO's fast-burn paging level for a service's SLI: (1 − objective) × fastBurnRate. */
export function sloFastLimitFor(config: AppConfig, service: string, role: string): number | undefined {
  const slo = config.file.slos.find((s) => s.service === service && s.sli === role);
  return slo ? (1 - slo.objective) * slo.policy.fastBurnRate : undefined;
}

/** The SLO's slow-burn paging level for a service's SLI: (1 − objective) × slowBurnRate. */
export function sloLimitFor(config: AppConfig, service: string, role: string): number | undefined {
  const slo = config.file.slos.find((s) => s.service === service && s.sli === role);
  return slo ? (1 - slo.objective) * slo.policy.slowBurnRate : undefined;
}

/** Merges several series into one value per timestamp: the worst of them (max, or min when higher is better). */
export function worstPerTimestamp(role: string, series: Series[]): Array<[number, number]> {
  const higherIsBetter = HIGHER_IS_BETTER.has(role);
  const byTs = new Map<number, number>();
  for (const s of series) {
    for (const [ts, raw] of s.values) {
      const v = Number(raw);
      if (!Number.isFinite(v)) continue;
      const prev = byTs.get(ts);
      byTs.set(ts, prev === undefined ? v : higherIsBetter ? Math.min(prev, v) : Math.max(prev, v));
    }
  }
  return [...byTs.entries()].sort((a, b) => a[0] - b[0]);
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function fmt(role: string, x: number): string {
  return formatRoleValue(role, x);
}
