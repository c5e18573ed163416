// Similar past incidents from the copilot's own resolved incidents: ranked by what they share, with the reasons.
import { describe, expect, it } from 'vitest';
import { evidenceSignatures, rankSimilar, type PastRecord } from '../../../src/investigation/similar.js';

function past(over: Partial<PastRecord>): PastRecord {
  return {
    publicId: 'INC-1',
    title: 'checkout errors',
    service: 'checkout',
    alertname: 'HighErrorRate',
    resolvedAt: Date.parse('2026-11-20T10:00:00Z'),
    category: 'bad_deploy',
    cause: 'd-9',
    summary: 'Rolled back d-9',
    fixedBy: ['rollback_deploy'],
    evidence: ['metric:error_ratio{service="checkout"}'],
    ...over,
  };
}

const query = {
  service: 'checkout',
  alertname: 'HighErrorRate',
  category: 'bad_deploy',
  evidence: ['metric:error_ratio{service="checkout"}', 'log:NullPointerException'],
};

describe('rankSimilar', () => {
  it('ranks by shared service, alert, root-cause kind and evidence, and says each reason', () => {
    const all = [
      past({ publicId: 'INC-2', alertname: 'LatencyHigh', category: 'resource_exhaustion', evidence: [] }),
      past({ publicId: 'INC-1' }),
    ];
    const ranked = rankSimilar(query, all);
    expect(ranked.map((r) => r.publicId)).toEqual(['INC-1', 'INC-2']);
    expect(ranked[0]!.reasons).toEqual([
      { kind: 'service', value: 'checkout' },
      { kind: 'alert', value: 'HighErrorRate' },
      { kind: 'root_cause', value: 'bad_deploy' },
      { kind: 'evidence', values: ['metric:error_ratio{service="checkout"}'] },
    ]);
    expect(ranked[0]).toMatchObject({
      score: 9,
      cause: 'd-9',
      summary: 'Rolled back d-9',
      fixedBy: ['rollback_deploy'],
    });
    expect(ranked[1]!.reasons).toEqual([{ kind: 'service', value: 'checkout' }]);
  });

  it('leaves out incidents that share only a root-cause kind, or nothing', () => {
    const elsewhere = { service: 'search', alertname: 'Other', evidence: [] };
    expect(rankSimilar(query, [past(elsewhere)])).toEqual([]);
    expect(rankSimilar(query, [past({ ...elsewhere, category: 'config_change' })])).toEqual([]);
    // Same kind of cause and a shared log line: similar, though elsewhere.
    const shared = rankSimilar(query, [past({ ...elsewhere, evidence: ['log:NullPointerException'] })]);
    expect(shared.map((r) => r.reasons.map((x) => x.kind))).toEqual([['root_cause', 'evidence']]);
  });

  it('keeps the closest few, the most recent first among equals', () => {
    const all = [1, 2, 3, 4].map((n) =>
      past({ publicId: `INC-${n}`, resolvedAt: Date.parse(`2026-11-2${n}T00:00:00Z`) }),
    );
    expect(rankSimilar(query, all, 2).map((r) => r.publicId)).toEqual(['INC-4', 'INC-3']);
  });
});

describe('evidenceSignatures', () => {
  it('keeps metric series and log lines, not deploy or change ids (new every incident)', () => {
    const sigs = evidenceSignatures({
      novel: false,
      suggestedStep: null,
      hypotheses: [
        {
          category: 'bad_deploy',
          service: 'checkout',
          cause: 'd-1',
          confidence: 0.7,
          summary: 's',
          evidence: [
            { kind: 'deploy', ref: 'd-1', detail: '' },
            { kind: 'metric', ref: 'error_ratio{service="checkout"}', detail: '12%' },
            { kind: 'log', ref: 'NullPointerException', detail: '40x' },
          ],
        },
      ],
    });
    expect(sigs).toEqual(['metric:error_ratio{service="checkout"}', 'log:NullPointerException']);
    expect(evidenceSignatures(null)).toEqual([]);
  });
});
