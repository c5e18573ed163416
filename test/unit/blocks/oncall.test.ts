import { describe, expect, it } from 'vitest';
import { buildHandoffBlocks, buildHandoffReminderText, type HandoffView } from '../../../blocks/handoff.js';
import { buildEscalationNoticeText, buildOncallBlocks, buildPageBlocks } from '../../../blocks/oncall.js';

const handoff: HandoffView = {
  handoffId: 7,
  team: 'payments',
  timeZone: 'Europe/Berlin',
  shiftStart: new Date('2026-11-17T08:00:00Z'),
  shiftEnd: new Date('2026-11-24T08:00:00Z'),
  outgoing: 'U0PRIYA',
  incoming: 'U0SAM',
  openIncidents: [
    {
      publicId: 'INC-4',
      title: 'checkout <5xx>',
      severity: 'sev1',
      status: 'acknowledged',
      owner: 'U0SAM',
      channelId: 'C0INC4',
    },
  ],
  investigations: [{ publicId: 'INC-4', title: 'checkout <5xx>' }],
  deploys: [{ service: 'checkout', title: 'Bump SDK', at: new Date('2026-11-20T13:05:00Z') }],
  selfResolvedAlerts: [{ alertname: 'DiskAlmostFull', service: 'search', count: 3 }],
  pendingApprovals: [],
  pagesPerPerson: [{ user: 'U0PRIYA', pages: 2, outsideHours: 1 }],
  outgoingConfirmedAt: new Date('2026-11-24T08:02:00Z'),
  incomingConfirmedAt: null,
};

describe('handoff blocks', () => {
  it('builds every section, an empty one saying so, and one confirm per person', () => {
    expect(buildHandoffBlocks(handoff)).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'On-call handoff: payments' } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: 'Shift Tue 17 Nov 09:00 → Tue 24 Nov 09:00 (Europe/Berlin) · <@U0PRIYA> hands over to <@U0SAM>',
          },
        ],
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*Open incidents*\n• <#C0INC4> [SEV1] checkout &lt;5xx&gt; · acknowledged · owner <@U0SAM>',
        },
      },
      { type: 'section', text: { type: 'mrkdwn', text: '*Investigations in progress*\n• INC-4 checkout &lt;5xx&gt;' } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: '*Deploys during the shift*\n• Fri 20 Nov 14:05 `checkout` Bump SDK' },
      },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: '*Alerts that resolved on their own*\n• DiskAlmostFull `search` ×3' },
      },
      { type: 'section', text: { type: 'mrkdwn', text: '*Actions waiting for approval*\nNone.' } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: '*Pages during the shift*\n• <@U0PRIYA>: 2 pages, 1 outside business hours' },
      },
      {
        type: 'context',
        block_id: 'handoff_outgoing',
        elements: [{ type: 'mrkdwn', text: ':white_check_mark: Outgoing <@U0PRIYA> confirmed at Tue 24 Nov 09:02' }],
      },
      {
        type: 'actions',
        block_id: 'handoff_incoming',
        elements: [
          {
            type: 'button',
            action_id: 'handoff_confirm_incoming',
            text: { type: 'plain_text', text: 'Incoming: confirm handoff' },
            value: '7:incoming',
            style: 'primary',
          },
        ],
      },
    ]);
  });

  it('says when no deploy source is connected, rather than "none"', () => {
    const blocks = buildHandoffBlocks({ ...handoff, deploys: null });
    expect(blocks[4]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '*Deploys during the shift*\nNone recorded (no deploy source is connected).' },
    });
  });

  it('words the reminder and the escalation', () => {
    expect(buildHandoffReminderText(['U0SAM'])).toBe(':bell: Reminder: <@U0SAM>, please confirm the handoff.');
    expect(buildHandoffReminderText(['U0PRIYA', 'U0SAM'], 'U0LEAD')).toBe(
      ':warning: Handoff still unconfirmed by <@U0PRIYA> and <@U0SAM>; escalated to <@U0LEAD>.',
    );
  });
});

describe('oncall blocks', () => {
  it('shows primary, secondary and next with the hand-off time in the team zone', () => {
    expect(
      buildOncallBlocks({
        at: new Date('2026-11-22T10:00:00Z'),
        rows: [
          {
            team: 'payments',
            schedule: 'payments-weekly',
            primary: '<@U0PRIYA>',
            secondary: '<@U0SAM>',
            next: '<@U0SAM>',
            shiftEnd: new Date('2026-11-23T08:00:00Z'),
            timeZone: 'Europe/Berlin',
            overridden: true,
          },
          {
            team: 'search',
            schedule: null,
            primary: null,
            secondary: null,
            next: null,
            shiftEnd: null,
            timeZone: 'UTC',
            overridden: false,
          },
        ],
      }),
    ).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'On call now' } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*payments* (payments-weekly)\nPrimary: <@U0PRIYA> (override)\nSecondary: <@U0SAM>\nNext: <@U0SAM> from Mon 23 Nov 09:00 (Europe/Berlin)',
        },
      },
      { type: 'section', text: { type: 'mrkdwn', text: '*search*: no rotation configured' } },
    ]);
  });

  it('builds the page DM with its Acknowledge button and says when it is late', () => {
    expect(
      buildPageBlocks({
        incidentId: 42,
        publicId: 'INC-42',
        severity: 'sev1',
        title: 'checkout down',
        service: 'checkout',
        channelId: 'C0INC',
        step: 2,
        steps: 3,
        round: 0,
        lateByMs: 95_000,
        lateCause: 'down',
      }),
    ).toEqual([
      {
        type: 'section',
        text: { type: 'mrkdwn', text: ':rotating_light: *INC-42* [SEV1] `checkout` checkout down in <#C0INC>' },
      },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: 'Escalation step 2 of 3 · sent 1m35s late: the copilot was not running at its time' },
        ],
      },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: 'incident_acknowledge',
            text: { type: 'plain_text', text: 'Acknowledge' },
            style: 'primary',
            value: '42',
          },
        ],
      },
    ]);
  });

  it('words escalation notes', () => {
    expect(
      buildEscalationNoticeText({
        kind: 'paging',
        publicId: 'INC-1',
        users: ['U1', 'U2'],
        unresolved: ['lead of team x'],
        step: 1,
        steps: 3,
        round: 1,
        lateByMs: 0,
      }),
    ).toBe(':pager: INC-1: paging <@U1>, <@U2> (step 1 of 3, round 2). Could not resolve: lead of team x.');
    expect(
      buildEscalationNoticeText({
        kind: 'deferred',
        publicId: 'INC-1',
        pageAt: new Date('2026-11-24T08:00:00Z'),
        timeZone: 'Europe/Berlin',
      }),
    ).toBe(':zzz: INC-1 is SEV2 and outside business hours: nobody is paged now; paging at Tue 09:00 (Europe/Berlin).');
  });
});
