// How a new lead's result joins the diagnosis (the "what changed" line: test/unit/presenters/slack/jobs/post-incident-note.test.ts).
import { describe, expect, it } from 'vitest';
import { mergeInvestigations } from '../../../src/incidents/investigate-incident.js';
import type { Hypothesis, InvestigationResult } from '../../../src/investigation/ports.js';

const hyp = (summary: string, confidence: number, service = 'checkout'): Hypothesis => ({
  category: 'bad_deploy',
  service,
  cause: summary,
  confidence,
  summary,
  evidence: [],
});
const result = (hypotheses: Hypothesis[], step: string | null = null): InvestigationResult => ({
  novel: hypotheses.length === 0,
  hypotheses,
  suggestedStep: step ? { runbook: step, step: 1, text: step, action: null } : null,
  missing: [],
});

describe('mergeInvestigations', () => {
  it('keeps the earlier diagnosis when the lead explains nothing', () => {
    const before = result([hyp('deploy 41', 0.9)], 'rb-deploy');
    const merged = mergeInvestigations(before, result([]));
    expect(merged.hypotheses.map((h) => h.summary)).toEqual(['deploy 41']);
    expect(merged.novel).toBe(false);
    expect(merged.suggestedStep?.runbook).toBe('rb-deploy');
  });

  it('puts a stronger lead on top, with its own next step, and lists each hypothesis once', () => {
    const merged = mergeInvestigations(
      result([hyp('deploy 41', 0.6), hyp('db saturated', 0.3, 'db')], 'rb-deploy'),
      result([hyp('db saturated', 0.8, 'db')], 'rb-db'),
    );
    expect(merged.hypotheses.map((h) => [h.summary, h.confidence])).toEqual([
      ['db saturated', 0.8],
      ['deploy 41', 0.6],
    ]);
    expect(merged.suggestedStep?.runbook).toBe('rb-db');
  });

  it('is the lead itself when neither found anything', () => {
    expect(mergeInvestigations(result([]), result([])).novel).toBe(true);
  });
});
