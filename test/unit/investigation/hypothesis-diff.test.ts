// The diff of two hypothesis lists: new, strengthened, weakened, ruled out, with the evidence that moved each; and
// the evidence fingerprint that tells a refresh whether anything changed.
import { describe, expect, it } from 'vitest';
import { diffHypotheses, evidenceFingerprint, hypothesisKey } from '../../../src/investigation/hypothesis-diff.js';
import type { EvidenceRef, Hypothesis, InvestigationResult } from '../../../src/investigation/ports.js';

const deploy = (id: string): EvidenceRef => ({ kind: 'deploy', ref: id, detail: `${id} to checkout at 10:02` });
const metric = (detail: string): EvidenceRef => ({
  kind: 'metric',
  ref: 'error_ratio{service="checkout"}',
  detail,
});

function h(over: Partial<Hypothesis>): Hypothesis {
  return {
    category: 'bad_deploy',
    service: 'checkout',
    cause: 'd-1',
    confidence: 0.6,
    summary: 'Deploy d-1 of checkout broke it',
    evidence: [deploy('d-1'), metric('error ratio 0.2% -> 12%')],
    ...over,
  };
}

const result = (hypotheses: Hypothesis[], over: Partial<InvestigationResult> = {}): InvestigationResult => ({
  novel: false,
  hypotheses,
  suggestedStep: null,
  ...over,
});

describe('diffHypotheses', () => {
  it('says nothing moved when the same hypotheses hold with confidences within a step, whatever their texts say', () => {
    const before = [h({})];
    const after = [h({ confidence: 0.63, evidence: [deploy('d-1'), metric('error ratio 0.2% -> 13%')] })];
    expect(diffHypotheses(before, after)).toEqual([]);
  });

  it('names a new hypothesis with the evidence it rests on, the new top first', () => {
    const second = h({
      cause: 'd-2',
      summary: 'Deploy d-2 of checkout broke it',
      confidence: 0.8,
      evidence: [deploy('d-2')],
    });
    const moves = diffHypotheses([h({})], [second, h({ confidence: 0.4 })]);
    expect(moves[0]).toEqual({ kind: 'new', summary: second.summary, to: 0.8, added: [deploy('d-2')] });
    expect(moves[1]).toMatchObject({
      kind: 'weakened',
      from: 0.6,
      to: 0.4,
      summary: 'Deploy d-1 of checkout broke it',
    });
  });

  it('says a hypothesis strengthened or weakened with the evidence it gained and lost', () => {
    const log: EvidenceRef = {
      kind: 'log',
      ref: 'NullPointerException in CartService',
      detail: 'checkout error, 412x',
    };
    const up = diffHypotheses([h({})], [h({ confidence: 0.85, evidence: [deploy('d-1'), metric('x'), log] })]);
    expect(up).toEqual([
      {
        kind: 'strengthened',
        summary: 'Deploy d-1 of checkout broke it',
        from: 0.6,
        to: 0.85,
        added: [log],
        removed: [],
      },
    ]);
    const down = diffHypotheses([h({})], [h({ confidence: 0.3, evidence: [deploy('d-1')] })]);
    expect(down).toEqual([
      {
        kind: 'weakened',
        summary: 'Deploy d-1 of checkout broke it',
        from: 0.6,
        to: 0.3,
        added: [],
        removed: [metric('error ratio 0.2% -> 12%')],
      },
    ]);
  });

  it('rules out a hypothesis the new run no longer holds, with the evidence it had', () => {
    const other = h({
      category: 'cpu_saturation',
      cause: 'cpu',
      summary: 'CPU of checkout saturated',
      confidence: 0.5,
    });
    const moves = diffHypotheses([h({}), other], [h({})]);
    expect(moves).toEqual([{ kind: 'ruled_out', summary: other.summary, from: 0.5, removed: other.evidence }]);
  });

  it('keys hypotheses by kind, service and cause, not by their wording', () => {
    expect(hypothesisKey(h({ summary: 'anything' }))).toBe(hypothesisKey(h({ summary: 'else' })));
    expect(hypothesisKey(h({ cause: 'd-2' }))).not.toBe(hypothesisKey(h({})));
    expect(diffHypotheses([h({ summary: 'old words' })], [h({ summary: 'new words' })])).toEqual([]);
  });
});

describe('evidenceFingerprint', () => {
  it('is the same for runs that found the same thing, numbers in texts aside', () => {
    const a = result([h({})]);
    const b = result([h({ confidence: 0.61, evidence: [metric('error ratio 0.2% -> 14%'), deploy('d-1')] })]);
    expect(evidenceFingerprint(a)).toBe(evidenceFingerprint(b));
  });

  it('changes with new evidence, a moved confidence, a new hypothesis, a missing source or the SLI recovering', () => {
    const base = evidenceFingerprint(result([h({})]));
    expect(evidenceFingerprint(result([h({ evidence: [deploy('d-1'), deploy('d-2')] })]))).not.toBe(base);
    expect(evidenceFingerprint(result([h({ confidence: 0.8 })]))).not.toBe(base);
    expect(evidenceFingerprint(result([h({}), h({ cause: 'd-2' })]))).not.toBe(base);
    expect(evidenceFingerprint(result([h({})], { missing: ['metrics: down'] }))).not.toBe(base);
    expect(evidenceFingerprint(result([h({})]), true)).not.toBe(base);
  });
});
