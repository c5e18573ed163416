// Scoring of investigator answers against scenario truth: top-1/top-3, novel recall, false novels, action accuracy, ECE.
import type { Hypothesis, InvestigationResult } from '../src/investigation/ports.js';
import type { Truth } from '../src/investigation/evidence-model.js';

/** One scored scenario. */
export interface EvalCase {
  id: string;
  truth: Truth;
  result: InvestigationResult;
  ms: number;
}

export interface EvalSummary {
  n: number;
  top1: number;
  top3: number;
  /** Share of novel scenarios answered novel (NaN when the set has none). */
  novelRecall: number;
  /** Share of known-category scenarios answered novel. */
  falseNovelRate: number;
  actionAccuracy: number;
  /** Expected calibration error, 10 equal-width bins, on the top answer's confidence. */
  ece: number;
  meanMs: number;
  maxMs: number;
}

const CAUSED = new Set(['bad_deploy', 'config_change', 'memory_leak']);

export function hypothesisMatches(h: Hypothesis, truth: Truth): boolean {
  if (truth.category === 'novel') return false;
  if (h.category !== truth.category || h.service !== truth.service) return false;
  return !CAUSED.has(truth.category) || h.cause === truth.cause;
}

/** Right at rank 1: novel when the truth is novel, else not novel and the first hypothesis matches. */
export function isTop1(c: EvalCase): boolean {
  if (c.truth.category === 'novel') return c.result.novel;
  return !c.result.novel && !!c.result.hypotheses[0] && hypothesisMatches(c.result.hypotheses[0], c.truth);
}

export function isTop3(c: EvalCase): boolean {
  if (c.truth.category === 'novel') return c.result.novel;
  return !c.result.novel && c.result.hypotheses.slice(0, 3).some((h) => hypothesisMatches(h, c.truth));
}

/** The confidence of the top answer: the first hypothesis', or the novel decision's for a novel answer. */
export function topConfidence(r: InvestigationResult): number {
  if (r.novel) return r.novelConfidence ?? 0.5;
  return r.hypotheses[0]?.confidence ?? 0;
}

export function expectedCalibrationError(
  pairs: ReadonlyArray<{ confidence: number; correct: boolean }>,
  bins = 10,
): number {
  if (pairs.length === 0) return Number.NaN;
  const sums = Array.from({ length: bins }, () => ({ n: 0, conf: 0, acc: 0 }));
  for (const p of pairs) {
    const b = sums[Math.min(bins - 1, Math.max(0, Math.floor(p.confidence * bins)))]!;
    b.n++;
    b.conf += p.confidence;
    b.acc += p.correct ? 1 : 0;
  }
  return sums.reduce((e, b) => (b.n ? e + (b.n / pairs.length) * Math.abs(b.acc / b.n - b.conf / b.n) : e), 0);
}

/** One bin of a reliability table: answers stated with a confidence in [lo, hi), and how often they were right. */
export interface ReliabilityBin {
  lo: number;
  hi: number;
  n: number;
  meanConfidence: number;
  accuracy: number;
}

/** Confidence bins versus accuracy, for the top answer of each case (empty bins left out). */
export function reliabilityTable(cases: readonly EvalCase[], bins = 10): ReliabilityBin[] {
  const out = Array.from({ length: bins }, (_, i) => ({
    lo: i / bins,
    hi: (i + 1) / bins,
    n: 0,
    meanConfidence: 0,
    accuracy: 0,
  }));
  for (const c of cases) {
    const p = topConfidence(c.result);
    const b = out[Math.min(bins - 1, Math.max(0, Math.floor(p * bins)))]!;
    b.n++;
    b.meanConfidence += p;
    b.accuracy += isTop1(c) ? 1 : 0;
  }
  return out
    .filter((b) => b.n > 0)
    .map((b) => ({ ...b, meanConfidence: b.meanConfidence / b.n, accuracy: b.accuracy / b.n }));
}

export function summarize(cases: readonly EvalCase[]): EvalSummary {
  const n = cases.length;
  const share = (xs: readonly EvalCase[], f: (c: EvalCase) => boolean) =>
    xs.length ? xs.filter(f).length / xs.length : Number.NaN;
  const novels = cases.filter((c) => c.truth.category === 'novel');
  const known = cases.filter((c) => c.truth.category !== 'novel');
  return {
    n,
    top1: share(cases, isTop1),
    top3: share(cases, isTop3),
    novelRecall: share(novels, (c) => c.result.novel),
    falseNovelRate: share(known, (c) => c.result.novel),
    actionAccuracy: share(cases, (c) => c.result.suggestedStep?.action === c.truth.action),
    ece: expectedCalibrationError(cases.map((c) => ({ confidence: topConfidence(c.result), correct: isTop1(c) }))),
    meanMs: n ? cases.reduce((s, c) => s + c.ms, 0) / n : Number.NaN,
    maxMs: n ? Math.max(...cases.map((c) => c.ms)) : Number.NaN,
  };
}

/** Overall and per truth category. */
export function summarizeByCategory(cases: readonly EvalCase[]): {
  overall: EvalSummary;
  byCategory: Record<string, EvalSummary>;
} {
  const groups = new Map<string, EvalCase[]>();
  for (const c of cases) groups.set(c.truth.category, [...(groups.get(c.truth.category) ?? []), c]);
  return {
    overall: summarize(cases),
    byCategory: Object.fromEntries(
      [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, summarize(v)]),
    ),
  };
}
