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
