// The naive baseline of issue 11: "the service whose metrics moved most". Every series of every service is scored by how
// far its end departed from its own baseline (robust z-score); services are ranked by their most-moved series.
import { detectDeparture, toPoints } from '../src/investigation/change-point.js';
import type { Scenario } from './scenario-format.js';
import type { EvalCase } from './metrics.js';

/** Services ranked by their largest departure, most moved first (ties broken by name for determinism). */
export function movedMost(s: Pick<Scenario, 'metrics' | 'services'>): string[] {
  const best = new Map<string, number>();
  for (const m of s.metrics ?? []) {
    const service = m.metric.service;
    if (!service) continue;
    const d = detectDeparture(toPoints(m.values), { relativeFloor: 0.02 });
    const score = d ? Math.min(d.score, 1e6) : 0;
    best.set(service, Math.max(best.get(service) ?? 0, score));
  }
  return [...best.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
}

/** Categories whose truth is a resource of one service (what real injected-fault data labels). */
export const RESOURCE_CATEGORIES = new Set([
  'cpu_saturation',
  'memory_leak',
  'disk_full',
  'db_saturation',
  'traffic_surge',
  'queue_backlog',
]);

export interface LocalizationRow {
  n: number;
  investigatorTop1: number;
  investigatorTop3: number;
  baselineTop1: number;
  baselineTop3: number;
}

/** Localization of resource faults (the right service, whatever the category): the investigator versus moved-most. */
export function compareLocalization(cases: ReadonlyArray<EvalCase & { movedMost?: string[] }>): LocalizationRow {
  const rs = cases.filter((c) => RESOURCE_CATEGORIES.has(c.truth.category) && c.truth.service && c.movedMost);
  const share = (f: (c: (typeof rs)[number]) => boolean) => (rs.length ? rs.filter(f).length / rs.length : Number.NaN);
  const inv = (c: (typeof rs)[number], k: number) =>
    !c.result.novel && c.result.hypotheses.slice(0, k).some((h) => h.service === c.truth.service);
  return {
    n: rs.length,
    investigatorTop1: share((c) => inv(c, 1)),
    investigatorTop3: share((c) => inv(c, 3)),
    baselineTop1: share((c) => c.movedMost![0] === c.truth.service),
    baselineTop3: share((c) => c.movedMost!.slice(0, 3).includes(c.truth.service!)),
  };
}
