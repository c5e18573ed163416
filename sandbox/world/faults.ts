// What can go wrong in the simulated world: faults, and what an operator did to the world (deploys, changes, actions).
import type { FaultKind } from './fault-catalogue.js';

export type { FaultKind };

export interface Fault {
  id: string;
  kind: FaultKind;
  /** The scenario that injected it. */
  scenario: string;
  /** The root-cause service: the deployed service, the vendor, the database, the worker... */
  service: string;
  /** The deploy or change id behind it, when there is one. */
  cause: string | null;
  /** World time (unix ms) when its effect begins. */
  startAt: number;
  /** World time when it stopped (a fitting remediation, or its own end); null while active. */
  clearedAt: number | null;
  clearedBy: string | null;
  /** Kind-specific numbers (peak error ratio, hot-path CPU, surge factor...); `quietLogs: 1` writes no log lines. */
  params: Record<string, number>;
  /** Memory leak: times the service was restarted (each starts the leak over). */
  restarts: number[];
  /** Network partition: the caller whose calls to `service` fail. */
  from?: string;
  /** Kind-specific text for log lines (the exception a bad build throws, the flag that changed...). */
  text: Record<string, string>;
}

export interface WorldDeploy {
  id: string;
  service: string;
  /** World time, unix ms. */
  at: number;
  sha: string;
  author: string;
  title: string;
  files: string[];
  /** The deploy this one rolled back, for rollbacks. */
  rollbackOf?: string;
}

export interface WorldChange {
  id: string;
  kind: 'feature_flag' | 'config' | 'infra' | 'schema';
  service: string;
  at: number;
  author: string;
  summary: string;
  /** The change this one reverted, for reverts. */
  revertOf?: string;
}

/** A capacity change: replicas of a service (scale_out) or consumers of a worker (scale_consumers) multiplied. */
export interface ScaleEvent {
  service: string;
  at: number;
  factor: number;
  what: 'replicas' | 'consumers';
}

/** One thing done to the world by an action run, for the console and for tests. */
export interface WorldOperation {
  at: number;
  action: string;
  service: string;
  cause: string | null;
  /** Fault ids it cleared (empty when it did not fit). */
  cleared: string[];
  detail: string;
}

/** A served TLS certificate: when it stops being valid. */
export interface Certificate {
  service: string;
  notAfter: number;
}

/**
 * How long a fault's effect takes to appear (rate windows and retries), and to fade once it is fixed. The world's
 * metrics show a fix at the next scrape, so that a verify window of any length judges what the action did.
 */
export const RAMP_IN_MS = 90_000;
export const RAMP_OUT_MS = 0;

/** What is left of an effect `dt` ms after its cause was removed, 1..0. */
export function fade(dt: number): number {
  if (dt < 0) return 1;
  if (RAMP_OUT_MS <= 0) return 0;
  return Math.max(0, 1 - dt / RAMP_OUT_MS);
}

/** How strongly a fault acts at world time t, 0..1: it ramps in from startAt and fades out after clearedAt. */
export function intensity(
  f: Pick<Fault, 'startAt' | 'clearedAt' | 'params'>,
  t: number,
  rampInMs = f.params.rampMs ?? RAMP_IN_MS,
): number {
  if (t < f.startAt) return 0;
  const rampIn = rampInMs <= 0 ? 1 : Math.min(1, (t - f.startAt) / rampInMs);
  if (f.clearedAt === null || t < f.clearedAt) return rampIn;
  return rampIn * fade(t - f.clearedAt);
}
