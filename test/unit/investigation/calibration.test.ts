// Confidence from the evidence: more agreeing signals and a wider margin raise it, rivals lower it; the fit recovers Platt weights.
import { describe, expect, it } from 'vitest';
import { knownConfidence, type KnownFeatures } from '../../../src/investigation/calibration.js';
import { reliabilityTable, type EvalCase } from '../../../eval/metrics.js';
import { fitLogistic } from '../../../eval/fit-calibration.js';

const base: KnownFeatures = {
  score: 5,
  signals: 3,
  margin: 2,
  rivalRoot: false,
  unexplainedRoot: false,
  lookalike: false,
};

describe('confidence from the evidence', () => {
  it('rises with agreeing signals and margin, falls with a rival root or a look-alike', () => {
    const c = knownConfidence(base);
    expect(knownConfidence({ ...base, signals: 5 })).toBeGreaterThan(c);
    expect(knownConfidence({ ...base, margin: 0 })).toBeLessThan(c);
    expect(knownConfidence({ ...base, rivalRoot: true })).toBeLessThan(c);
    expect(knownConfidence({ ...base, lookalike: true })).toBeLessThan(c);
    expect(knownConfidence({ ...base, score: 12, signals: 6, margin: 9 })).toBeLessThanOrEqual(0.99);
  });

  it('fits logistic weights that separate right from wrong answers', () => {
    const xs: number[][] = [];
    const ys: number[] = [];
    for (let i = 0; i < 200; i++) {
      const e = (i % 20) / 4;
      xs.push([1, e]);
      ys.push(e > 2 ? 1 : 0);
    }
    const [a, b] = fitLogistic(xs, ys, { prior: [0, 1] });
    expect(b!).toBeGreaterThan(1);
    expect(a! + b! * 3).toBeGreaterThan(0);
    expect(a! + b! * 1).toBeLessThan(0);
  });

  it('recovers known logistic coefficients from data drawn from them (Newton fit, no penalty)', () => {
    const rand = mulberry32(7);
    const truth = [-1.5, 0.8, -2.0];
    const xs: number[][] = [];
    const ys: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const x = [1, rand() * 8 - 2, rand() < 0.3 ? 1 : 0];
      const p = 1 / (1 + Math.exp(-(truth[0]! + truth[1]! * x[1]! + truth[2]! * x[2]!)));
      xs.push(x);
      ys.push(rand() < p ? 1 : 0);
    }
    const w = fitLogistic(xs, ys, { l2: 0 });
    truth.forEach((t, j) => expect(w[j]!).toBeCloseTo(t, 0));
    expect(Math.abs(w[1]! - 0.8)).toBeLessThan(0.06);
  });

  it('fits a mostly-right set whose evidence barely varies: the mean stated confidence matches the accuracy', () => {
    // The shape that made the old gradient descent state 0.4-0.6 at 97.8% accuracy: evidence 6..8, 2% wrong.
    const rand = mulberry32(11);
    const xs: number[][] = [];
    const ys: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const e = 6 + rand() * 2;
      xs.push([1, e]);
      ys.push(rand() < 0.022 ? 0 : 1);
    }
    const w = fitLogistic(xs, ys, { prior: [0, 1] });
    const mean = xs.reduce((s, x) => s + 1 / (1 + Math.exp(-(w[0]! + w[1]! * x[1]!))), 0) / xs.length;
    const accuracy = ys.reduce((a, b) => a + b, 0) / ys.length;
    expect(Math.abs(mean - accuracy)).toBeLessThan(0.005);
    expect(mean).toBeGreaterThan(0.95);
  });

  it('rejects ragged input', () => {
    expect(() => fitLogistic([[1, 2], [1]], [1, 0])).toThrow(/ragged/);
  });

  it('bins answers by stated confidence against how often they were right', () => {
    const mk = (confidence: number, right: boolean): EvalCase => ({
      id: 'x',
      truth: { category: 'bad_deploy', service: 's', cause: 'd', action: 'rollback_deploy' },
      result: {
        novel: false,
        hypotheses: [
          { category: 'bad_deploy', service: 's', cause: right ? 'd' : 'e', confidence, summary: '', evidence: [] },
        ],
        suggestedStep: null,
      },
      ms: 1,
    });
    const table = reliabilityTable([mk(0.95, true), mk(0.92, false), mk(0.55, true)]);
    expect(table).toEqual([
      { lo: 0.5, hi: 0.6, n: 1, meanConfidence: 0.55, accuracy: 1 },
      { lo: 0.9, hi: 1, n: 2, meanConfidence: expect.closeTo(0.935, 5), accuracy: 0.5 },
    ]);
  });
});

/** A small seeded generator, so the synthetic data are the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
