// The note a re-investigation asks for: none when nothing moved, the moves with formatted confidences and a few
// evidence items, and an SLI recovery said once (when it newly recovered).
import { describe, expect, it } from 'vitest';
import { movesNote } from '../../../src/incidents/reinvestigation.js';
import type { Hypothesis, InvestigationResult } from '../../../src/investigation/ports.js';

const h = (over: Partial<Hypothesis> = {}): Hypothesis => ({
  category: 'bad_deploy',
  service: 'checkout',
  cause: 'd-1',
  confidence: 0.6,
  summary: 'Deploy d-1 of checkout broke it',
  evidence: [{ kind: 'deploy', ref: 'd-1', detail: 'at 10:02' }],
  ...over,
});
const result = (hypotheses: Hypothesis[]): InvestigationResult => ({ novel: false, hypotheses, suggestedStep: null });
const cause = { reason: 'refresh' as const, ref: null, service: null };
const recovered = { recovered: true, detail: 'Error ratio is 0.2%, at or below 0.3%.' };

describe('movesNote', () => {
  it('is null when no hypothesis moved and the SLI did not newly recover', () => {
    expect(movesNote(cause, result([h()]), result([h({ confidence: 0.62 })]), null, null)).toBeNull();
    expect(movesNote(cause, result([h()]), result([h()]), recovered, true)).toBeNull();
    expect(movesNote(cause, result([h()]), result([h()]), { recovered: false, detail: 'x' }, null)).toBeNull();
  });

  it('carries the moves, their confidences formatted, and a recovery seen for the first time', () => {
    const note = movesNote(
      cause,
      result([h()]),
      result([h({ confidence: 0.9, evidence: [...h().evidence, { kind: 'log', ref: 'NPE', detail: '40x' }] })]),
      recovered,
      false,
    );
    expect(note).toEqual({
      cause,
      moves: [
        {
          kind: 'strengthened',
          summary: 'Deploy d-1 of checkout broke it',
          from: '60%',
          to: '90%',
          added: [{ kind: 'log', ref: 'NPE', detail: '40x' }],
          removed: [],
        },
      ],
      recovery: recovered.detail,
    });
  });
});
