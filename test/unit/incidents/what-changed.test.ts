// What a re-investigation tells people: the "what changed" line, and how a new lead's result joins the diagnosis.
import { describe, expect, it } from 'vitest';
import { buildWhatChangedText } from '../../../blocks/briefing.js';
import { mergeInvestigations } from '../../../src/incidents/investigate-incident.js';
import type { Hypothesis, InvestigationResult } from '../../../src/investigation/ports.js';

const hyp = (summary: string, confidence: number, service = 'checkout'): Hypothesis => ({ category: 'bad_deploy', service, cause: summary, confidence, summary, evidence: [] });
const result = (hypotheses: Hypothesis[], step: string | null = null): InvestigationResult => ({
  novel: hypotheses.length === 0,
  hypotheses,
  suggestedStep: step ? { runbook: step, step: 1, text: step, action: null } : null,
  missing: [],
});

describe('buildWhatChangedText', () => {
  it('names the new alert and how the top hypothesis moved, escaping what came from the alert', () => {
    expect(buildWhatChangedText({ reason: 'new_alert', alertname: 'DbDown', service: 'orders-db', from: 'deploy 41', to: 'db saturated' })).toBe(
      ':arrows_counterclockwise: New alert `DbDown` on service `orders-db` since the last investigation; top hypothesis changed from deploy 41 to db saturated.',
    );
    expect(buildWhatChangedText({ reason: 'new_alert', alertname: '<!channel>', service: null, from: 'a', to: 'a' })).toBe(
      ':arrows_counterclockwise: New alert `&lt;!channel&gt;` since the last investigation; top hypothesis unchanged: a.',
    );
    expect(buildWhatChangedText({ reason: 'reopened', alertname: 'HighErrorRate', service: 'checkout', from: 'deploy 41', to: null })).toContain(
      'fired again after the resolve; no hypothesis explains it any more (was deploy 41).',
    );
    expect(buildWhatChangedText({ reason: 'reopened', alertname: 'HighErrorRate', service: 'checkout', from: null, to: 'x' })).toContain('top hypothesis is now x.');
  });
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
    const merged = mergeInvestigations(result([hyp('deploy 41', 0.6), hyp('db saturated', 0.3, 'db')], 'rb-deploy'), result([hyp('db saturated', 0.8, 'db')], 'rb-db'));
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
