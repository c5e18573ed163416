// The ranking's stated confidences: whatever the evidence, the list reads best first.
import { describe, expect, it } from 'vitest';
import { rank } from '../../../src/investigation/engine/rank.js';
import type { Candidate, Root } from '../../../src/investigation/engine/context.js';

const root = (service: string, hop: number): Root => ({
  service,
  path: ['edge', service],
  trail: [],
  viaEdge: true,
  hop,
});
const cand = (service: string, score: number, weight = score): Candidate => ({
  hypothesis: { category: 'third_party_outage', service, cause: null, summary: `${service} down`, evidence: [] },
  score,
  weight,
  signals: ['caller_edge'],
  primary: true,
});

describe('rank', () => {
  it('never states a runner-up likelier than the answer above it, even when the answer is unsure', () => {
    // Two answers of nearly equal evidence under a look-alike: the top is unsure, and most of the doubt would go to
    // the runner-up if it were shared out unbounded.
    const r = rank(
      [
        { root: root('maps-vendor', 3), candidates: [cand('maps-vendor', 7)] },
        { root: root('fx-vendor', 1), candidates: [cand('fx-vendor', 6.9)] },
      ],
      { anomalies: 12, lookalike: true },
    );
    expect(r.novel).toBe(false);
    const stated = r.hypotheses.map((h) => h.confidence);
    expect(stated[0]).toBeLessThan(0.5);
    expect(stated).toEqual([...stated].sort((a, b) => b - a));
    expect(stated.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1);
  });
});
