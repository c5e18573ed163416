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
 * Logistic regression (Platt scaling when the vector is [1, evidence]) by Newton's method (IRLS), stepping until the
 * largest change of a weight is below `tolerance`, halving a step that does not lower the loss. The loss is the mean
 * log loss plus `l2`/2 times the squared distance of each weight from `prior` (the slope toward 1: with few wrong
 * answers to learn from, or answers that separate perfectly, the evidence keeps its reasoned weight), the intercept's
 * (toward 0) twenty times weaker: a set with no wrong answer at all fits a high confidence, not an infinite one.
 * Weights are rounded to 3 decimals.
 */
export function fitLogistic(
  xs: readonly number[][],
  ys: readonly number[],
  opts: { iterations?: number; l2?: number; prior?: number[]; tolerance?: number } = {},
): number[] {
  const d = xs[0]?.length ?? 0;
  const n = xs.length;
  if (n === 0 || d === 0) return new Array<number>(d).fill(0);
  if (ys.length !== n || xs.some((x) => x.length !== d)) throw new Error('fitLogistic: ragged input');
  const l2 = opts.l2 ?? 0.02;
  const prior = Array.from({ length: d }, (_, j) => (j === 0 ? 0 : (opts.prior?.[j] ?? 0)));
  const tolerance = opts.tolerance ?? 1e-9;
  // Start at the prior with the intercept at the base rate's log odds.
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, ys.reduce((a, b) => a + b, 0) / n));
  let w = prior.slice();
  w[0] = Math.log(rate / (1 - rate));
  const loss = (v: number[]) => {
    let l = 0;
    for (let i = 0; i < n; i++) {
      const z = dotRow(v, xs[i]!);
      // log(1 + e^z) - y z, computed without overflow.
      l += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - ys[i]! * z;
    }
    let pen = v[0]! ** 2 / 20;
    for (let j = 1; j < d; j++) pen += (v[j]! - prior[j]!) ** 2;
    return l / n + (l2 / 2) * pen;
  };
  let current = loss(w);
  for (let it = 0; it < (opts.iterations ?? 100); it++) {
    const g = new Array<number>(d).fill(0);
    const h = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (let i = 0; i < n; i++) {
      const x = xs[i]!;
      const p = 1 / (1 + Math.exp(-dotRow(w, x)));
      const r = p * (1 - p);
      for (let j = 0; j < d; j++) {
        g[j]! += ((p - ys[i]!) * x[j]!) / n;
        for (let k = 0; k < d; k++) h[j]![k]! += (r * x[j]! * x[k]!) / n;
      }
    }
    for (let j = 0; j < d; j++) {
      const k = j === 0 ? l2 / 20 : l2;
      g[j]! += k * (w[j]! - prior[j]!);
      h[j]![j]! += k;
      h[j]![j]! += 1e-9; // keeps a flat direction (a constant feature, all answers alike) solvable
    }
    const step = solve(h, g);
    let t = 1;
    let next = w.map((wj, j) => wj - step[j]!);
    let nextLoss = loss(next);
    while (nextLoss > current && t > 1e-6) {
      t /= 2;
      next = w.map((wj, j) => wj - t * step[j]!);
      nextLoss = loss(next);
    }
    const moved = Math.max(...next.map((v, j) => Math.abs(v - w[j]!)));
    if (nextLoss > current) break;
    w = next;
    current = nextLoss;
    if (moved < tolerance) break;
  }
  return w.map((x) => Math.round(x * 1000) / 1000);
}

function dotRow(w: readonly number[], x: readonly number[]): number {
  let z = 0;
  for (let j = 0; j < w.length; j++) z += w[j]! * x[j]!;
  return z;
}

/** Solves a x = b for a small symmetric positive definite a (Gaussian elimination with partial pivoting). */
function solve(a: number[][], b: number[]): number[] {
  const d = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < d; c++) {
    let piv = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    const p = m[c]![c]!;
    if (Math.abs(p) < 1e-15) continue;
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / p;
      for (let k = c; k <= d; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => (Math.abs(row[i]!) < 1e-15 ? 0 : row[d]! / row[i]!));
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
