// The question scorer on the ways people ask: synonyms and phrasings without the obvious keyword, services, windows.
import { describe, expect, it } from 'vitest';
import { normalise, parseWindow, understand, type Intent } from '../../../src/conversation/understand.js';

const NOW = Date.UTC(2026, 10, 25, 16, 0, 0);
const services = ['checkout', 'payments-api', 'cart', 'search'];
const ask = (text: string) => understand(text, { services, nowMs: NOW });

const PHRASINGS: Record<Intent, string[]> = {
  changes: [
    'what changed in the last hour?',
    'anything deployed recently?',
    'did someone ship something to checkout?',
    'any flags toggled since 3pm?',
    'was there a release before this started',
    'who pushed a new version of cart',
    'any config edits on payments-api?',
  ],
  oncall: [
    'who is on call?',
    "who's holding the pager for payments-api",
    'who has the pager right now',
    'which person is on duty for cart?',
    'who is primary this week',
    'current rotation for search?',
  ],
  commander: [
    'who is the commander?',
    "who's in charge here",
    'who is the IC?',
    'who is leading this incident',
    'who is coordinating?',
    'who is calling the shots',
  ],
  paged: [
    'who was paged?',
    'who got paged for this',
    'has anyone been notified?',
    'who did we wake up',
    'who was escalated to',
    'was someone pinged?',
  ],
  status: [
    'what is the status?',
    'how bad is it?',
    'what severity is this',
    'is it acknowledged yet?',
    'where are we?',
    'is this still open',
  ],
  timeline: [
    'what happened so far?',
    'give me the timeline',
    'catch me up',
    'can you recap the incident',
    'fill me in please',
    'chronology of events?',
  ],
  why: [
    'why #1?',
    'why hypothesis 2',
    "what's the evidence for the second theory?",
    'why do you think it is the top one',
    'what makes you so confident?',
    'explain number 3',
  ],
  metrics: [
    'how are checkout errors now?',
    'is payments-api slow?',
    'what is the latency of cart',
    'cpu on search?',
    'is checkout saturated',
    'how does the error rate of cart look',
    'p99 of checkout vs before',
  ],
  logs: [
    'any new error lines in the logs of checkout?',
    'show me the logs for cart',
    'what is checkout printing?',
    'any stack traces from payments-api',
    'new exceptions in the search logs',
  ],
  runbook: [
    "what's the next step?",
    'what should we do now?',
    'is there a runbook?',
    'show me the playbook',
    'how do we fix this',
    'what does the procedure say',
  ],
  similar: [
    'has this happened before?',
    'similar past incidents?',
    'have we seen this before',
    'what happened last time',
    'is this a recurrence',
    'any precedent for this?',
  ],
  help: ['help', 'what can you do?', 'what can you answer', 'how do I use you', 'show me your capabilities'],
};

describe('the intent scorer', () => {
  for (const [intent, phrasings] of Object.entries(PHRASINGS))
    for (const p of phrasings)
      it(`reads "${p}" as ${intent}`, () => {
        expect(ask(p).intent).toBe(intent);
      });

  it('gives the help answer, not a guess, to what it does not understand', () => {
    for (const p of ['lunch?', 'the quick brown fox', 'ok thanks', 'rolling back now']) {
      const q = ask(p);
      expect(q.intent).toBe('help');
      expect(q.understood).toBe(false);
    }
  });

  it('tells a question from a remark', () => {
    expect(ask('what changed').asks).toBe(true);
    expect(ask('deploy looks fine to me').asks).toBe(false);
  });
});

describe('what a question names', () => {
  it('finds the configured service, hyphenated or spaced', () => {
    expect(ask('errors of payments api now?').service).toBe('payments-api');
    expect(ask('what changed on payments-api?').service).toBe('payments-api');
    expect(ask('what changed?').service).toBeUndefined();
  });

  it('reads the hypothesis number as digits, "#n" or an ordinal', () => {
    expect(ask('why #2?').hypothesis).toBe(2);
    expect(ask('why hypothesis 3').hypothesis).toBe(3);
    expect(ask('evidence for the second one?').hypothesis).toBe(2);
    expect(ask('why?').hypothesis).toBeUndefined();
  });

  it('reads the metric kind', () => {
    expect(ask('is checkout slow').metric).toBe('latency');
    expect(ask('cpu of cart').metric).toBe('saturation');
    expect(ask('checkout 5xx now').metric).toBe('errors');
  });

  it('mentions and links are not words of the question', () => {
    expect(normalise('<@U0COPILOT> what <https://x.example|changed>?')).toBe('what');
  });
});

describe('time windows', () => {
  const w = (text: string, tz?: string) => parseWindow(normalise(text), NOW, tz);
  it('defaults to the last hour', () => {
    expect(w('what changed')).toEqual({ startMs: NOW - 3_600_000, endMs: NOW, label: 'the last hour' });
  });
  it('reads relative windows', () => {
    expect(w('in the last 2 hours').startMs).toBe(NOW - 7_200_000);
    expect(w('past 30 minutes').startMs).toBe(NOW - 1_800_000);
    expect(w('last 45m').label).toBe('the last 45 minutes');
    expect(w('last day').startMs).toBe(NOW - 86_400_000);
  });
  it('reads "since" a clock time, in the team’s time zone, yesterday when it is later than now', () => {
    expect(w('since 3pm').startMs).toBe(Date.UTC(2026, 10, 25, 15, 0));
    expect(w('since 14:30').startMs).toBe(Date.UTC(2026, 10, 25, 14, 30));
    expect(w('since 17:00').startMs).toBe(Date.UTC(2026, 10, 24, 17, 0));
    // 16:00 UTC is 17:00 in Berlin (CET): 3pm Berlin is 14:00 UTC.
    expect(w('since 3pm', 'Europe/Berlin').startMs).toBe(Date.UTC(2026, 10, 25, 14, 0));
  });
});

describe('a question that asks for a picture', () => {
  it('is marked as wanting a chart, and one that does not is not', () => {
    for (const text of ['graph the errors of checkout', 'can you plot latency for cart?', 'show me a chart of search'])
      expect(ask(text).wantsChart).toBe(true);
    for (const text of ['how are the errors of checkout now?', 'is cart slow?', 'graphql errors?'])
      expect(ask(text).wantsChart).toBeUndefined();
  });
});
