// SLO messages: the policy change posted in the team channel, and the /slo answer, with outside text escaped.
import { describe, expect, it } from 'vitest';
import { buildPolicyChangeText, buildSloStatusBlocks, buildSloStatusText } from '../../../blocks/slo.js';
import type { SloStatusView } from '../../../src/slo/slo-view.js';

const view: SloStatusView = {
  slo: 'checkout-availability',
  service: 'checkout',
  objective: '99%',
  state: 'hard_pause',
  stateName: 'hard-pause',
  reason: 'budget exhausted (70% overspent): only fixes ship',
  budgetLeft: 'budget exhausted (70% overspent)',
  pairs: [
    { severity: 'page', windows: '1h/5m', long: '15×', short: '16×', threshold: '14.4×', firing: true },
    { severity: 'ticket', windows: '3d/6h', long: '0.9×', short: '1.2×', threshold: '1×', firing: false },
  ],
  stale: false,
};

describe('buildPolicyChangeText', () => {
  it('names the SLO, the change and what it means', () => {
    expect(
      buildPolicyChangeText({
        slo: 'checkout-availability',
        service: 'checkout',
        from: 'ship freely',
        to: 'hard-pause',
        toState: 'hard_pause',
        reason: 'budget exhausted (70% overspent): only fixes ship',
        budgetLeft: 'budget exhausted (70% overspent)',
      }),
    ).toBe(
      ':red_circle: Error-budget policy of *checkout-availability* (checkout): ship freely → *hard-pause* (only fixes ship). budget exhausted (70% overspent); budget exhausted (70% overspent): only fixes ship.',
    );
  });

  it('escapes what Slack would read as a mention', () => {
    const text = buildPolicyChangeText({
      slo: '<!channel>',
      service: 'checkout',
      from: null,
      to: 'soft-pause',
      toState: 'soft_pause',
      reason: 'x',
      budgetLeft: 'y',
    });
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
  });
});

describe('buildSloStatusBlocks', () => {
  it('shows the state, budget left and each window pair with its threshold', () => {
    expect(buildSloStatusBlocks('checkout', [view])).toEqual([
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: [
            ':red_circle: *checkout-availability* (checkout, objective 99%): *hard-pause*, only fixes ship',
            'budget exhausted (70% overspent); budget exhausted (70% overspent): only fixes ship',
            'Burn rate per window pair (long and short window):',
            '• page 1h/5m: 15× and 16× (fires above 14.4×) :fire:',
            '• ticket 3d/6h: 0.9× and 1.2× (fires above 1×)',
          ].join('\n'),
        },
      },
    ]);
    expect(buildSloStatusText('checkout', [view])).toBe(
      'checkout-availability: hard-pause, budget exhausted (70% overspent)',
    );
  });

  it('says when a service has no SLO', () => {
    expect(buildSloStatusBlocks('search', [])).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: 'No SLO is defined for `search`.' } },
    ]);
  });
});
