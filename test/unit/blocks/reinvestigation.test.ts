// The note under the briefing after a re-investigation, and the briefing's similar-incidents section: what they say
// and that outside text in them is escaped.
import { describe, expect, it } from 'vitest';
import { buildMovesText } from '../../../blocks/reinvestigation.js';
import { similarBlocks } from '../../../blocks/similar.js';
import type { MovesNote } from '../../../src/incidents/presentations.js';

describe('buildMovesText', () => {
  const note: MovesNote = {
    cause: { reason: 'deploy', ref: 'd-2', service: 'checkout' },
    moves: [
      {
        kind: 'new',
        summary: 'Deploy d-2 of checkout broke it',
        from: null,
        to: '81%',
        added: [{ kind: 'deploy', ref: 'd-2', detail: 'checkout v2.4.1 at 10:02' }],
        removed: [],
      },
      {
        kind: 'weakened',
        summary: 'Deploy d-1 of checkout broke it',
        from: '62%',
        to: '30%',
        added: [],
        removed: [{ kind: 'metric', ref: 'error_ratio{service="checkout"}', detail: '0.2% → 12%' }],
      },
      {
        kind: 'ruled_out',
        summary: 'CPU of checkout saturated',
        from: '40%',
        to: null,
        added: [],
        removed: [{ kind: 'metric', ref: 'cpu', detail: '95%' }],
      },
    ],
    recovery: 'Error ratio is 0.2%, at or below 0.3% (the pre-incident baseline 0.2%).',
  };

  it('says why it ran and each move with its numbers and evidence', () => {
    const text = buildMovesText(note);
    expect(text).toContain('Investigated again after deploy `d-2` of `checkout`:');
    expect(text).toContain(
      'New hypothesis: *Deploy d-2 of checkout broke it* (81%), from _deploy_ `d-2` (checkout v2.4.1 at 10:02)',
    );
    expect(text).toContain('Weakened: *Deploy d-1 of checkout broke it* 62% → 30%: no longer seen _metric_');
    expect(text).toContain('Ruled out: *CPU of checkout saturated* (was 40%)');
    expect(text).toContain('The SLI has recovered: Error ratio is 0.2%');
  });

  it('escapes outside text: a summary or evidence detail cannot mention or link', () => {
    const text = buildMovesText({
      cause: { reason: 'refresh', ref: null, service: null },
      moves: [
        {
          kind: 'new',
          summary: '<!channel> look',
          from: null,
          to: '50%',
          added: [{ kind: 'log', ref: '<https://evil|click>', detail: '<@U123>' }],
          removed: [],
        },
      ],
      recovery: null,
    });
    expect(text).toContain('on its periodic refresh');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil');
    expect(text).not.toContain('<@U123>');
  });
});

describe('similarBlocks', () => {
  it('shows each similar incident with its root cause, what fixed it and why it is similar, escaped', () => {
    const blocks = similarBlocks([
      {
        publicId: 'INC-7',
        title: 'checkout <!here> errors',
        resolvedOn: '2026-11-20',
        category: 'bad_deploy',
        cause: 'd-9',
        summary: 'Rolled back d-9',
        fixedBy: ['rollback_deploy'],
        reasons: [
          { kind: 'service', value: 'checkout' },
          { kind: 'alert', value: 'HighErrorRate' },
          { kind: 'root_cause', value: 'bad_deploy' },
          { kind: 'evidence', values: ['metric:error_ratio{service="checkout"}'] },
        ],
      },
    ]);
    const text = JSON.stringify(blocks);
    expect(text).toContain('Similar past incidents');
    expect(text).toContain('INC-7');
    expect(text).toContain('Root cause: bad deploy: d-9');
    expect(text).toContain('Fixed by: `rollback_deploy` (verified); Rolled back d-9');
    expect(text).toContain('same service `checkout`; same alert `HighErrorRate`; same kind of root cause');
    expect(text).not.toContain('<!here>');
    expect(similarBlocks([])).toEqual([]);
  });
});
