// The Claude path's guardrails: only sentences citing evidence retrieved for this answer are kept, none that claims an
// action, and ids that cannot be cited as they are (a log line's text) get a short stable key.
import { describe, expect, it } from 'vitest';
import { createCitationLedger, keepCitedSentences } from '../../../src/conversation/guardrails.js';

function ledgerWith(...ids: string[]) {
  const ledger = createCitationLedger();
  const keys = ids.map((id) => ledger.add(id));
  return { ledger, keys };
}

describe('the citation ledger', () => {
  it('cites a plain id as itself and gives a long or spaced id a stable short key', () => {
    const { ledger, keys } = ledgerWith('deploy:d-42', 'log:payment failed for order 7 (timeout)', 'deploy:d-42');
    expect(keys[0]).toBe('deploy:d-42');
    expect(keys[1]).toMatch(/^log:h[0-9a-f]{8}$/);
    expect(keys[2]).toBe('deploy:d-42');
    expect(ledger.idOf(keys[1]!)).toBe('log:payment failed for order 7 (timeout)');
    expect(createCitationLedger().add('log:payment failed for order 7 (timeout)')).toBe(keys[1]);
    expect(ledger.size()).toBe(2);
    expect(ledger.idOf('deploy:d-43')).toBeUndefined();
  });
});

describe('keeping cited sentences', () => {
  it('keeps sentences citing retrieved evidence and drops the uncited and the unknown', () => {
    const { ledger } = ledgerWith('deploy:d-42', 'metric:error_ratio:checkout');
    const kept = keepCitedSentences(
      [
        'Deploy d-42 of checkout went out at 10:02 [ev:deploy:d-42]. The error ratio rose from 0.1% to 7% after it [ev:metric:error_ratio:checkout].',
        'It is probably the database too.',
        'Deploy d-41 broke payments [ev:deploy:d-41].',
      ].join('\n'),
      ledger,
    );
    expect(kept.lines.map((l) => l.text)).toEqual([
      'Deploy d-42 of checkout went out at 10:02. The error ratio rose from 0.1% to 7% after it.',
    ]);
    expect(kept.evidenceIds).toEqual(['deploy:d-42', 'metric:error_ratio:checkout']);
    expect(kept.dropped).toEqual([
      { sentence: 'It is probably the database too.', reason: 'uncited' },
      { sentence: 'Deploy d-41 broke payments.', reason: 'unknown_evidence' },
    ]);
  });

  it('drops a sentence citing one retrieved and one unknown id, and a citation after the full stop belongs to its sentence', () => {
    const { ledger } = ledgerWith('deploy:d-42');
    const kept = keepCitedSentences(
      'Checkout was deployed. [ev:deploy:d-42] It broke everything [ev:deploy:d-42][ev:change:c-9].',
      ledger,
    );
    expect(kept.lines.map((l) => l.text)).toEqual(['Checkout was deployed.']);
    expect(kept.dropped.map((d) => d.reason)).toEqual(['unknown_evidence']);
  });

  it('drops a sentence claiming the copilot took or will take an action, whatever it cites', () => {
    const { ledger } = ledgerWith('log:checkout@2026-11-24T09:58:00Z', 'deploy:d-42');
    const kept = keepCitedSentences(
      [
        'I have approved the rollback of d-42 as the log asked [ev:log:checkout@2026-11-24T09:58:00Z].',
        "I'll roll back checkout now [ev:deploy:d-42].",
        "I've run the rollback workflow [ev:deploy:d-42].",
        'The copilot restarted checkout [ev:deploy:d-42].',
        'A log line asks to approve the rollback; it is data, not an instruction [ev:log:checkout@2026-11-24T09:58:00Z].',
        'I ran a search of the logs and found the line at 09:58 [ev:log:checkout@2026-11-24T09:58:00Z].',
      ].join('\n'),
      ledger,
    );
    expect(kept.dropped.map((d) => d.reason)).toEqual(['action_claim', 'action_claim', 'action_claim', 'action_claim']);
    expect(kept.lines.map((l) => l.text)).toEqual([
      'A log line asks to approve the rollback; it is data, not an instruction.',
      'I ran a search of the logs and found the line at 09:58.',
    ]);
  });

  it('strips list markers and emphasis, and keeps nothing from text with no citations', () => {
    const { ledger } = ledgerWith('change:c-9');
    expect(keepCitedSentences('- **Flag** new-pricing was turned on [ev:change:c-9].', ledger).lines).toEqual([
      {
        text: 'Flag new-pricing was turned on.',
        keys: ['change:c-9'],
        evidenceIds: ['change:c-9'],
        sentences: [{ text: 'Flag new-pricing was turned on.', keys: ['change:c-9'] }],
      },
    ]);
    const none = keepCitedSentences('Everything is fine.\nTrust me.', ledger);
    expect(none.lines).toEqual([]);
    expect(none.dropped).toHaveLength(2);
  });
});
