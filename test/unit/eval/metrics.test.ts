// Eval metrics on a tiny hand-made set whose numbers are worked out by hand.
import { describe, expect, it } from 'vitest';
import { expectedCalibrationError, summarize, summarizeByCategory, type EvalCase } from '../../../eval/metrics.js';
import type { Hypothesis, InvestigationResult } from '../../../src/investigation/ports.js';
import type { Truth } from '../../../src/investigation/evidence-model.js';

const h = (
  category: Hypothesis['category'],
  service: string,
  cause: string | null,
  confidence: number,
): Hypothesis => ({ category, service, cause, confidence, summary: '', evidence: [] });
const result = (hyps: Hypothesis[], action: string, novel = false, novelConfidence?: number): InvestigationResult => ({
  novel,
  hypotheses: hyps,
  suggestedStep: { runbook: 'rb', step: 1, text: '', action },
  novelConfidence,
});
const truth = (category: Truth['category'], service: string | null, cause: string | null, action: string): Truth => ({
  category,
  service,
  cause,
  action,
});

const cases: EvalCase[] = [
  // right at rank 1, confidence 0.9
  {
    id: 'a',
    truth: truth('bad_deploy', 'search', 'deploy-1', 'rollback_deploy'),
    result: result([h('bad_deploy', 'search', 'deploy-1', 0.9)], 'rollback_deploy'),
    ms: 10,
  },
  // right service and category but wrong deploy at rank 1; right at rank 2
  {
    id: 'b',
    truth: truth('bad_deploy', 'search', 'deploy-1', 'rollback_deploy'),
    result: result(
      [h('bad_deploy', 'search', 'deploy-2', 0.9), h('bad_deploy', 'search', 'deploy-1', 0.05)],
      'rollback_deploy',
    ),
    ms: 30,
  },
  // novel truth answered novel with confidence 0.7
  { id: 'c', truth: truth('novel', null, null, 'escalate'), result: result([], 'escalate', true, 0.7), ms: 20 },
  // known truth answered novel (a false novel), confidence 0.7
  {
    id: 'd',
    truth: truth('disk_full', 'kyc', null, 'free_disk'),
    result: result([h('disk_full', 'kyc', null, 0.2)], 'escalate', true, 0.7),
    ms: 40,
  },
];

describe('eval metrics', () => {
  it('computes top-1, top-3, novel recall, false novels, action accuracy and timing', () => {
    const s = summarize(cases);
    expect(s.n).toBe(4);
    expect(s.top1).toBe(2 / 4); // a, c
    expect(s.top3).toBe(3 / 4); // a, b, c (d answered novel: wrong even though its list holds the truth)
    expect(s.novelRecall).toBe(1);
    expect(s.falseNovelRate).toBe(1 / 3);
    expect(s.actionAccuracy).toBe(3 / 4);
    expect(s.meanMs).toBe(25);
    expect(s.maxMs).toBe(40);
  });

  it('computes ECE over 10 bins from the top confidence (the novel decision for novel answers)', () => {
    // bin 0.9: a (right), b (wrong) -> acc 0.5, conf 0.9, weight 2/4; bin 0.7: c (right), d (wrong) -> acc 0.5, conf 0.7, weight 2/4.
    expect(summarize(cases).ece).toBeCloseTo(0.5 * 0.4 + 0.5 * 0.2, 10);
    expect(expectedCalibrationError([{ confidence: 1, correct: true }])).toBe(0);
    expect(
      expectedCalibrationError([
        { confidence: 0.8, correct: true },
        { confidence: 0.8, correct: false },
      ]),
    ).toBeCloseTo(0.3, 10);
  });

  it('splits the summary by truth category', () => {
    const { overall, byCategory } = summarizeByCategory(cases);
    expect(overall.n).toBe(4);
    expect(Object.keys(byCategory)).toEqual(['bad_deploy', 'disk_full', 'novel']);
    expect(byCategory.bad_deploy!.top1).toBe(0.5);
    expect(byCategory.bad_deploy!.top3).toBe(1);
    expect(byCategory.novel!.falseNovelRate).toBeNaN();
  });
});
