// Exact JSON of the messages whose rendering changed: severity notes, topic, DM page, status budgets, evidence, changes.
import { describe, expect, it } from 'vitest';
import { buildRemediationStatusBlocks } from '../../../blocks/approval.js';
import { buildEvidenceBlocks } from '../../../blocks/evidence.js';
import { ActionIds } from '../../../blocks/ids.js';
import {
  buildEscalationNoticeText,
  buildIncidentStatusBlocks,
  STATUS_LINES_MAX,
  buildPageBlocks,
  buildPageText,
} from '../../../blocks/oncall.js';
import { buildChangesText, buildTopic } from '../../../blocks/status.js';
import { errorBudgetView } from '../../../src/slo/error-budget.js';
import {
  blocksText as sandboxBlocksText,
  MESSAGE_BLOCKS_TEXT_MAX,
  validateBlocks,
} from '../../../sandbox/slack/block-kit.js';

const EVIL = '<!channel> <@U0EVIL> <https://evil.example|https://good.example>';
const ESCAPED = '&lt;!channel&gt; &lt;@U0EVIL&gt; &lt;https://evil.example|https://good.example&gt;';

describe('severity notes', () => {
  it('says lowered for a downgrade and raised for an upgrade', () => {
    expect(
      buildEscalationNoticeText({
        kind: 'raised',
        publicId: 'INC-1',
        from: 'sev1',
        to: 'sev2',
        reason: 'changed by <@U1>',
      }),
    ).toBe(':arrow_double_down: INC-1 lowered from SEV1 to SEV2: changed by <@U1>.');
    expect(
      buildEscalationNoticeText({
        kind: 'raised',
        publicId: 'INC-1',
        from: 'sev3',
        to: 'sev1',
        reason: 'changed by <@U1>',
      }),
    ).toBe(':arrow_double_up: INC-1 raised from SEV3 to SEV1: changed by <@U1>.');
  });
});

describe('topic and DM page', () => {
  it('escapes the title in the channel topic', () => {
    expect(
      buildTopic({ publicId: 'INC-1', severity: 'sev2', status: 'acknowledged', title: `checkout down ${EVIL}` }),
    ).toBe(`INC-1 | SEV2 | acknowledged | checkout down ${ESCAPED}`);
  });

  it('escapes the title in the DM page text and blocks', () => {
    const view = {
      incidentId: 7,
      publicId: 'INC-7',
      severity: 'sev1' as const,
      title: EVIL,
      service: 'checkout',
      channelId: 'C1',
      step: 1,
      steps: 2,
      round: 0,
      lateByMs: 0,
    };
    expect(buildPageText(view)).toBe(`:rotating_light: You are paged for INC-7 [SEV1]: ${ESCAPED}`);
    expect(buildPageBlocks(view)).toEqual([
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `:rotating_light: *INC-7* [SEV1] \`checkout\` ${ESCAPED} in <#C1>` },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Escalation step 1 of 2' }] },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: ActionIds.acknowledge,
            text: { type: 'plain_text', text: 'Acknowledge' },
            style: 'primary',
            value: '7',
          },
        ],
      },
    ]);
  });

  it('escapes the lines of the "briefing updated" note (they quote hypotheses)', () => {
    expect(buildChangesText(['Severity: SEV1 → SEV2', `Top hypothesis: ${EVIL} (80%)`])).toBe(
      `*Briefing updated:*\n• Severity: SEV1 → SEV2\n• Top hypothesis: ${ESCAPED} (80%)`,
    );
  });
});

describe('/incident status budgets', () => {
  it('says an overspent budget is exhausted, with objectives and burn rates as people read them', () => {
    const blocks = buildIncidentStatusBlocks({
      incident: {
        publicId: 'INC-3',
        title: 'checkout errors',
        severity: 'sev2',
        status: 'acknowledged',
        service: 'checkout',
        commander: 'U1',
        openedAt: new Date('2026-11-20T03:00:00Z'),
        pages: 2,
        // As the /incident handler passes them: the budgets' numbers formatted by the core.
        budgets: [
          {
            slo: 'availability',
            service: 'checkout',
            objective: 0.999,
            windowMs: 30 * 86_400_000,
            remaining: -1.691,
            burnRate1h: 14.42,
            burnRate6h: null,
            state: 'exhausted' as const,
            policy: 'budget exhausted: deploys are frozen except fixes',
          },
          {
            slo: 'latency',
            service: 'checkout',
            objective: 0.99,
            windowMs: 30 * 86_400_000,
            remaining: 0.4567,
            burnRate1h: null,
            burnRate6h: null,
            state: 'healthy' as const,
            policy: null,
          },
        ].map(errorBudgetView),
      },
    });
    expect(blocks[1]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          '*Error budget of `checkout`*\n' +
          '• availability (99.9%): budget exhausted (169% overspent), burning 14× (1h) — budget exhausted: deploys are frozen except fixes\n' +
          '• latency (99%): 45.7% of budget left',
      },
    });
  });
});

describe('evidence thread', () => {
  it('summarizes identical checks, shows the confidence as the core formatted it and escapes every item', () => {
    const checked = ['cart', 'search', 'auth'].map((s) => `${s}: no departure tied to this page`);
    expect(
      buildEvidenceBlocks({
        novel: false,
        hypotheses: [
          {
            summary: EVIL,
            category: 'bad_deploy',
            confidence: '83%',
            evidence: [{ kind: 'log', ref: EVIL, detail: 'first at 03:12, 40x since' }],
          },
        ],
        checked,
        missing: ['logs: Loki unreachable'],
      }),
    ).toEqual([
      [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text:
              `*1. ${ESCAPED}* (83%, bad deploy)\n• _log_ \`${ESCAPED}\`: first at 03:12, 40x since\n\n` +
              '*Checked and normal:*\n• 3 checked (cart, search, auth): no departure tied to this page\n' +
              '*Missing evidence:*\n• logs: Loki unreachable',
          },
        },
      ],
    ]);
  });
});

describe('remediation status', () => {
  it('escapes the service and links the run without letting its URL disguise itself', () => {
    const blocks = buildRemediationStatusBlocks({
      runId: 9,
      title: 'Roll back deploy',
      service: `checkout ${EVIL}`,
      cause: null,
      status: 'approved',
      by: 'U1',
      detail: null,
      externalRef: 'https://ci.example/run/1|https://good.example>',
    });
    expect(blocks).toEqual([
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `:arrow_forward: *Roll back deploy* on *checkout ${ESCAPED}* approved by <@U1>; running it now.`,
        },
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: '<https://ci.example/run/1%7Chttps://good.example%3E|Follow the run>' }],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Remediation run #9' }] },
    ]);
  });
});

describe('/incident status in a storm', () => {
  it('lists the open incidents, one line each, within Slack block limits, and says how many more', () => {
    const open = Array.from({ length: 151 }, (_, i) => ({
      publicId: `INC-${i + 1}`,
      title: `checkout <!here> errors ${'t'.repeat(150)}`,
      severity: 'sev2',
      status: 'triggered',
      channelId: i % 2 ? `C0${String(i).padStart(9, '0')}` : null,
    }));
    const blocks = buildIncidentStatusBlocks({ open });
    expect(validateBlocks(blocks)).toEqual([]);
    expect(sandboxBlocksText(blocks)).toBeLessThanOrEqual(MESSAGE_BLOCKS_TEXT_MAX);
    const json = JSON.stringify(blocks);
    expect(json).toContain('Open incidents (151)');
    expect(json).not.toContain('not shown');
    expect(json).not.toContain('<!here>');
    for (let i = 0; i < STATUS_LINES_MAX; i++)
      expect(json).toContain(
        i % 2
          ? `<#C0${String(i).padStart(9, '0')}> [SEV2] triggered · checkout`
          : `*INC-${i + 1}* [SEV2] triggered · checkout`,
      );
    expect(json).toContain(`…and ${151 - STATUS_LINES_MAX} more open incidents not listed here.`);
  });

  it('keeps each line readable however many are open', () => {
    const open = Array.from({ length: 650 }, (_, i) => ({
      publicId: `INC-${i + 1}`,
      title: 'checkout errors',
      severity: 'sev2',
      status: 'triggered',
      channelId: null,
    }));
    const json = JSON.stringify(buildIncidentStatusBlocks({ open }));
    expect(json).toContain('*INC-100* [SEV2] triggered · checkout errors');
    expect(json).toContain('…and 550 more open incidents not listed here.');
  });
});
