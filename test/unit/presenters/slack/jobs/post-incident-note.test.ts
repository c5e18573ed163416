// The channel notes of an incident: a reopen and what a re-investigation changed, with outside text kept literal.
import { describe, expect, it } from 'vitest';
import { buildWhatChangedText } from '../../../../../blocks/briefing.js';
import { buildReopenedText } from '../../../../../blocks/status.js';
import { buildNoteText } from '../../../../../presenters/slack/jobs/post-incident-note.js';

describe('reopen note', () => {
  it('tells the channel which alert fired again and how long after the resolve', () => {
    expect(buildReopenedText('HighErrorRate', 4)).toBe(
      ':repeat: Reopened: HighErrorRate fired again 4 min after resolve',
    );
  });
  it('keeps the alert name literal: no mentions or links from outside text', () => {
    expect(buildReopenedText('<!channel> & co', 1)).toBe(
      ':repeat: Reopened: &lt;!channel&gt; &amp; co fired again 1 min after resolve',
    );
  });
  it('is the note a reopen request asks for', () => {
    expect(buildNoteText({ kind: 'reopened', alertname: 'HighErrorRate', minutesAfterResolve: 4 })).toBe(
      ':repeat: Reopened: HighErrorRate fired again 4 min after resolve',
    );
  });
});

describe('buildWhatChangedText', () => {
  it('names the new alert and how the top hypothesis moved, escaping what came from the alert', () => {
    expect(
      buildWhatChangedText({
        reason: 'new_alert',
        alertname: 'DbDown',
        service: 'orders-db',
        from: 'deploy 41',
        to: 'db saturated',
      }),
    ).toBe(
      ':arrows_counterclockwise: New alert `DbDown` on service `orders-db` since the last investigation; top hypothesis changed from deploy 41 to db saturated.',
    );
    expect(
      buildWhatChangedText({ reason: 'new_alert', alertname: '<!channel>', service: null, from: 'a', to: 'a' }),
    ).toBe(
      ':arrows_counterclockwise: New alert `&lt;!channel&gt;` since the last investigation; top hypothesis unchanged: a.',
    );
    expect(
      buildWhatChangedText({
        reason: 'reopened',
        alertname: 'HighErrorRate',
        service: 'checkout',
        from: 'deploy 41',
        to: null,
      }),
    ).toContain('fired again after the resolve; no hypothesis explains it any more (was deploy 41).');
    expect(
      buildWhatChangedText({
        reason: 'reopened',
        alertname: 'HighErrorRate',
        service: 'checkout',
        from: null,
        to: 'x',
      }),
    ).toContain('top hypothesis is now x.');
  });

  it('is the note a re-investigation asks for', () => {
    const change = {
      reason: 'new_alert',
      alertname: 'DbDown',
      service: 'orders-db',
      from: 'deploy 41',
      to: 'db saturated',
    } as const;
    expect(buildNoteText({ kind: 'what_changed', change })).toBe(buildWhatChangedText(change));
  });
});
