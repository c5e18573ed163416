import { describe, expect, it } from 'vitest';
import { scoreHypotheses } from '../../../src/oncall/incident-commands.js';

const hyp = (category: 'bad_deploy' | 'config_change', confidence: number) => ({
  category,
  service: 'checkout',
  cause: null,
  confidence,
  summary: '',
  evidence: [],
});

describe('scoreHypotheses', () => {
  it('is right when the top hypothesis names the root-cause category', () => {
    expect(
      scoreHypotheses(
        { novel: false, hypotheses: [hyp('bad_deploy', 0.8), hyp('config_change', 0.1)], suggestedStep: null },
        'bad_deploy',
      ),
    ).toEqual({
      actual: 'bad_deploy',
      predicted: 'bad_deploy',
      confidence: 0.8,
      correct: true,
      rank: 1,
      saidNovel: false,
    });
  });
  it('is wrong, with the rank of the right one, when it came second', () => {
    expect(
      scoreHypotheses(
        { novel: false, hypotheses: [hyp('bad_deploy', 0.6), hyp('config_change', 0.3)], suggestedStep: null },
        'config_change',
      ),
    ).toMatchObject({ correct: false, rank: 2, predicted: 'bad_deploy' });
  });
  it('is right about a novel cause when it said nothing known explained it', () => {
    expect(scoreHypotheses({ novel: true, hypotheses: [], suggestedStep: null }, 'novel')).toMatchObject({
      correct: true,
      predicted: 'novel',
      rank: null,
    });
    expect(scoreHypotheses(null, 'disk_full')).toMatchObject({ correct: false, predicted: null });
  });
});
