import { describe, expect, it } from 'vitest';
import { calibrationOf, computeFigures, type OutcomeRow } from '../../../src/measure/figures.js';
import { scoreAnswer, scoreEveryHypothesis, suggestedRootCause } from '../../../src/measure/score.js';
import { buildStatsView } from '../../../src/measure/stats-view.js';
import type { InvestigationResult } from '../../../src/investigation/ports.js';

const from = new Date('2026-11-23T00:00:00Z');
const to = new Date('2026-11-30T00:00:00Z');
let n = 0;
const row = (o: Partial<OutcomeRow>): OutcomeRow => ({
  incidentId: ++n,
  publicId: `INC-${n}`,
  title: `incident ${n}`,
  class: 'humans',
  category: 'bad_deploy',
  service: 'checkout',
  timeToMitigateMs: 60_000,
  predicted: 'bad_deploy',
  confidence: 0.8,
  top1: true,
  top3: true,
  actionsAlone: [],
  resolvedAt: from,
  ...o,
});

const investigation: InvestigationResult = {
  novel: false,
  suggestedStep: null,
  hypotheses: [
    { category: 'config_change', service: 'cart', cause: 'c-1', confidence: 0.6, summary: '', evidence: [] },
    { category: 'bad_deploy', service: 'checkout', cause: 'd-42', confidence: 0.25, summary: '', evidence: [] },
  ],
};

describe('scoring hypotheses against the confirmed cause', () => {
  it('keeps the score of every hypothesis, and the answer is right within three but not first', () => {
    const confirmed = { category: 'bad_deploy', service: 'checkout', cause: 'd-42' };
    expect(
      scoreEveryHypothesis(investigation, confirmed).map((h) => [h.rank, h.categoryRight, h.serviceRight]),
    ).toEqual([
      [1, false, false],
      [2, true, true],
    ]);
    expect(scoreAnswer(investigation, confirmed)).toEqual({
      predicted: 'config_change',
      confidence: 0.6,
      top1: false,
      top3: true,
    });
  });

  it('the right category on the wrong service is not right; an unknown category is not scored', () => {
    expect(scoreAnswer(investigation, { category: 'config_change', service: 'payments', cause: null }).top1).toBe(
      false,
    );
    expect(scoreAnswer(investigation, { category: 'config_change', service: null, cause: null }).top1).toBe(true);
    expect(scoreAnswer(investigation, { category: 'unknown', service: null, cause: null }).top1).toBeNull();
  });

  it('a novel answer is right when the cause was novel, with its novel confidence; the form offers it', () => {
    const novel: InvestigationResult = { novel: true, novelConfidence: 0.7, hypotheses: [], suggestedStep: null };
    expect(scoreAnswer(novel, { category: 'novel', service: null, cause: null })).toEqual({
      predicted: 'novel',
      confidence: 0.7,
      top1: true,
      top3: true,
    });
    expect(suggestedRootCause(novel)).toEqual({ category: 'novel', service: null, cause: null });
    expect(suggestedRootCause(investigation)).toEqual({ category: 'config_change', service: 'cart', cause: 'c-1' });
    expect(suggestedRootCause(null)).toBeNull();
  });
});

describe('figures', () => {
  it('counts classes per category, the autonomous rate, accuracy, calibration, actions alone, shadows, the slowest', () => {
    const rows = [
      row({
        class: 'copilot_alone',
        timeToMitigateMs: 120_000,
        confidence: 0.85,
        actionsAlone: [{ runId: 1, action: 'rollback_deploy', service: 'checkout', outcome: 'verified' }],
      }),
      row({ class: 'human_approval', confidence: 0.75, top1: false, top3: true, timeToMitigateMs: 600_000 }),
      row({
        class: 'humans',
        category: 'disk_full',
        confidence: 0.3,
        top1: false,
        top3: false,
        timeToMitigateMs: 3_600_000,
        actionsAlone: [{ runId: 2, action: 'clean_disk', service: 'db', outcome: 'not_recovered' }],
      }),
      row({ class: 'humans', category: 'unknown', top1: null, top3: null, confidence: null }),
    ];
    const f = computeFigures(
      rows,
      [
        { action: 'a', category: 'bad_deploy', right: true },
        { action: 'b', category: null, right: null },
      ],
      { from, to },
    );
    expect(f.incidents).toBe(4);
    expect(f.byClass).toEqual({ copilot_alone: 1, human_approval: 1, humans: 2 });
    expect(f.autonomousRate).toBe(0.25);
    const deploy = f.byCategory.find((c) => c.category === 'bad_deploy')!;
    expect(deploy).toMatchObject({ incidents: 2, autonomousRate: 0.5, top1: 0.5, top3: 1, scored: 2 });
    expect(deploy.medianTimeToMitigateMs).toBe(360_000);
    expect(f.overall.scored).toBe(3);
    expect(f.overall.top1).toBeCloseTo(1 / 3);
    expect(f.actionsAlone).toEqual({ total: 2, byOutcome: { verified: 1, not_recovered: 1 } });
    expect(f.shadow).toEqual({ total: 2, judged: 1, right: 1 });
    expect(f.slowest.map((s) => s.publicId)).toEqual([rows[2]!.publicId, rows[1]!.publicId, rows[0]!.publicId]);
    const view = buildStatsView(f, 7 * 86_400_000, 'Europe/Berlin');
    expect(view.classes).toBe('1 by the copilot alone, 1 with a human approval, 2 by humans');
    expect(view.autonomousRate).toBe('25%');
    expect(view.top1).toBe('1 of 3 (33.3%)');
    expect(view.window).toMatch(/^the last 7 days \(2026-11-23 01:00 GMT\+1 to 2026-11-30 01:00 GMT\+1\)$/);
    expect(view.actionsAlone).toBe('2 run alone: 1 not recovered, 1 verified');
  });

  it('calibration: ECE is the weighted gap between stated confidence and accuracy per bin', () => {
    const c = calibrationOf([
      { confidence: 0.9, correct: true },
      { confidence: 0.9, correct: false },
      { confidence: 0.2, correct: false },
    ]);
    expect(c.bins).toEqual([
      { lo: 0.2, hi: 0.3, n: 1, meanConfidence: 0.2, accuracy: 0 },
      { lo: 0.9, hi: 1, n: 2, meanConfidence: 0.9, accuracy: 0.5 },
    ]);
    expect(c.ece).toBeCloseTo((2 / 3) * 0.4 + (1 / 3) * 0.2);
    expect(calibrationOf([]).ece).toBeNull();
  });

  it('no incidents: nothing divided by zero', () => {
    const f = computeFigures([], [], { from, to });
    expect(f.autonomousRate).toBeNull();
    expect(buildStatsView(f, 86_400_000, 'UTC')).toMatchObject({ autonomousRate: '-', top1: 'nothing scored' });
  });
});
