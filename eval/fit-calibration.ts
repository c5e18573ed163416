// Fits the confidence model of calibration.ts: logistic regression of "the top answer was right" on the evidence features
// the investigator recorded with its answer.
import { isTop1, type EvalCase } from './metrics.js';
import type { InvestigationStep } from '../src/investigation/ports.js';

/** One investigated scenario with the feature vector its answer's confidence was computed from. */
export interface CalibrationSample {
  case: EvalCase;
  model: 'known' | 'novel';
  vector: number[];
}

/** The model and feature vector recorded by the investigator's final decision step. */
export function featuresOf(
  steps: readonly InvestigationStep[],
): { model: 'known' | 'novel'; vector: number[] } | undefined {
  const answer = [...steps].reverse().find((s) => s.kind === 'decision' && s.name === 'answer');
  const v = answer?.attributes.vector;
  const m = answer?.attributes.model;
  if (!Array.isArray(v) || (m !== 'known' && m !== 'novel')) return undefined;
  return { model: m, vector: v.map(Number) };
}

/**
 * Logistic regression by gradient descent with an L2 penalty pulling each weight but the intercept toward `prior`
 * (the slope toward 1: with few wrong answers to learn from, the evidence keeps its reasoned weight).
 */
export function fitLogistic(
  xs: readonly number[][],
  ys: readonly number[],
  opts: { iterations?: number; rate?: number; l2?: number; prior?: number[] } = {},
): number[] {
  const d = xs[0]?.length ?? 0;
  const w = new Array<number>(d).fill(0);
  const n = xs.length;
  if (n === 0) return w;
  const rate = opts.rate ?? 0.5;
  const l2 = opts.l2 ?? 0.02;
  const prior = opts.prior ?? new Array<number>(d).fill(0);
  for (let it = 0; it < (opts.iterations ?? 4000); it++) {
    const g = new Array<number>(d).fill(0);
    for (let i = 0; i < n; i++) {
      const z = w.reduce((s, wi, j) => s + wi * xs[i]![j]!, 0);
      const p = 1 / (1 + Math.exp(-z));
      for (let j = 0; j < d; j++) g[j]! += (p - ys[i]!) * xs[i]![j]!;
    }
    for (let j = 0; j < d; j++) w[j]! -= rate * (g[j]! / n + (j === 0 ? 0 : l2 * (w[j]! - (prior[j] ?? 0))));
  }
  return w.map((x) => Math.round(x * 1000) / 1000);
}

/** Both models' weights, each fitted on the answers given under it. */
export function fitCalibration(samples: readonly CalibrationSample[]): {
  known: number[];
  novel: number[];
  counts: { known: number; novel: number };
} {
  const part = (m: 'known' | 'novel') => samples.filter((s) => s.model === m);
  const fit = (ss: CalibrationSample[]) =>
    fitLogistic(
      ss.map((s) => s.vector),
      ss.map((s) => (isTop1(s.case) ? 1 : 0)),
      { prior: [0, 1] },
    );
  return {
    known: fit(part('known')),
    novel: fit(part('novel')),
    counts: { known: part('known').length, novel: part('novel').length },
  };
}
