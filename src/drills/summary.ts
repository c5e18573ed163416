// The figures a batch of drills is judged by (issue 15): the share of known failures the policy lets the copilot fix
// alone that it did fix alone, whether every novel failure reached a person with its investigation, and the median
// page-to-verified-fix time on the drill clock. Pure.
import type { DrillReport } from './model.js';

/** At least this share of the known failures allowed to run alone must be mitigated with no human step. */
export const ALONE_SHARE_TARGET = 0.8;
/** The median page-to-verified-fix time on the drill clock must stay under this (ms). */
export const PAGE_TO_FIX_TARGET_MS = 120_000;

export interface DrillSummary {
  drills: number;
  alone: {
    /** Known (not novel) scenarios whose fix the policy allows to run alone. */
    allowed: string[];
    /** Of those, the ones mitigated with no human step. */
    mitigated: string[];
    /** mitigated / allowed; null when the policy allows none. */
    share: number | null;
    target: number;
    met: boolean;
  };
  novel: {
    scenarios: string[];
    /** Novel scenarios that reached a person with the investigation attached. */
    escalated: string[];
    met: boolean;
  };
  pageToFix: {
    /** Drills mitigated by a verified fix, whoever approved it. */
    mitigated: number;
    medianMs: number | null;
    targetMs: number;
    met: boolean;
  };
}

export function median(xs: readonly number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function summarizeDrills(reports: readonly DrillReport[]): DrillSummary {
  const allowed = reports.filter((r) => r.category !== 'novel' && r.autonomy.allowedAlone);
  const mitigated = allowed.filter((r) => r.mitigatedAlone);
  const share = allowed.length ? mitigated.length / allowed.length : null;
  const novel = reports.filter((r) => r.category === 'novel');
  const escalated = novel.filter((r) => r.escalatedWithInvestigation);
  const fixes = reports.map((r) => r.pageToFixMs).filter((m): m is number => m !== null);
  const medianMs = median(fixes);
  return {
    drills: reports.length,
    alone: {
      allowed: allowed.map((r) => r.scenario),
      mitigated: mitigated.map((r) => r.scenario),
      share,
      target: ALONE_SHARE_TARGET,
      met: share !== null && share >= ALONE_SHARE_TARGET,
    },
    novel: {
      scenarios: novel.map((r) => r.scenario),
      escalated: escalated.map((r) => r.scenario),
      met: escalated.length === novel.length,
    },
    pageToFix: {
      mitigated: fixes.length,
      medianMs,
      targetMs: PAGE_TO_FIX_TARGET_MS,
      met: medianMs !== null && medianMs < PAGE_TO_FIX_TARGET_MS,
    },
  };
}
