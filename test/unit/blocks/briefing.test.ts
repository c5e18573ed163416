// Exact-equality tests of the briefing builder on fixed view models, and of the Block Kit limits it relies on.
import { describe, expect, it } from 'vitest';
import { buildBriefingBlocks, buildBriefingText, type BriefingView } from '../../../blocks/briefing.js';
import { ActionIds } from '../../../blocks/ids.js';

const base: BriefingView = {
  incidentId: 42,
  publicId: 'INC-42',
  title: 'checkout 5xx ratio above 5% for 5 minutes',
  severity: 'sev1',
  service: 'checkout',
  status: 'triggered',
  alertname: 'HighErrorRate',
  summary: 'checkout 5xx ratio above 5% for 5 minutes',
  source: 'Alertmanager',
  startedAt: '2026-11-20 03:12 UTC',
  alerts: { firing: 2, resolved: 0 },
  links: [{ title: 'Runbook', url: 'https://example.com/rb' }],
  phase: 'investigating',
  hypotheses: [],
  novel: false,
  checked: [],
  missing: [],
  suggestedStep: null,
  remediations: [],
  acknowledgedBy: null,
  resolvedBy: null,
};

describe('buildBriefingBlocks', () => {
  it('shows what fired and "investigating" with Acknowledge, Escalate and Resolve before the investigation ends', () => {
    expect(buildBriefingBlocks(base)).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'INC-42: checkout 5xx ratio above 5% for 5 minutes', emoji: false } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Severity*\n:red_circle: SEV1' },
          { type: 'mrkdwn', text: '*Status*\nTriggered' },
          { type: 'mrkdwn', text: '*Service*\n`checkout`' },
          { type: 'mrkdwn', text: '*Started*\n2026-11-20 03:12 UTC' },
        ],
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*What fired:* `HighErrorRate` from Alertmanager\n> checkout 5xx ratio above 5% for 5 minutes\nAlerts: 2 firing, 0 resolved',
        },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: '<https://example.com/rb|Runbook>' }] },
      { type: 'divider' },
      { type: 'section', text: { type: 'mrkdwn', text: ':mag: *Investigating…* checking metrics, logs, deploys, changes and past incidents.' } },
      {
        type: 'actions',
        block_id: 'briefing_actions_42',
        elements: [
          { type: 'button', text: { type: 'plain_text', text: 'Acknowledge', emoji: true }, action_id: ActionIds.acknowledge, value: '42', style: 'primary' },
          { type: 'button', text: { type: 'plain_text', text: 'Escalate', emoji: true }, action_id: ActionIds.escalate, value: '42' },
          { type: 'button', text: { type: 'plain_text', text: 'Resolve', emoji: true }, action_id: ActionIds.resolve, value: '42' },
        ],
      },
    ]);
  });

  it('after the investigation shows hypotheses with confidence and evidence, the checks, the next step with its command, and every button', () => {
    const view: BriefingView = {
      ...base,
      status: 'acknowledged',
      acknowledgedBy: 'U123',
      phase: 'briefed',
      hypotheses: [
        {
          summary: 'Deploy d-17 of checkout broke payments',
          category: 'bad_deploy',
          confidence: 0.82,
          evidence: [
            { kind: 'deploy', ref: 'd-17', detail: 'deployed 4 min before onset' },
            { kind: 'metric', ref: 'error_ratio', detail: 'rose from 0.1% to 12.7%' },
          ],
        },
      ],
      checked: ['cpu normal', 'no config changes'],
      missing: ['logs: Loki unreachable'],
      suggestedStep: { runbook: 'high-error-rate', step: 2, text: 'Roll back: `kubectl rollout undo deploy/checkout`', command: 'kubectl rollout undo deploy/checkout' },
      remediations: [{ action: 'rollback_deploy', title: 'Roll back deploy', value: 'remediation-run:7', service: 'checkout', risk: 'high', approvals: 2 }],
    };
    const blocks = buildBriefingBlocks(view);
    expect(blocks.slice(5)).toEqual([
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*1. Deploy d-17 of checkout broke payments* (82%, bad deploy)\n• _deploy_ `d-17`: deployed 4 min before onset\n• _metric_ `error_ratio`: rose from 0.1% to 12.7%',
        },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: '*Checked and normal:* cpu normal; no config changes' }] },
      { type: 'context', elements: [{ type: 'mrkdwn', text: ':warning: *Missing evidence:* logs: Loki unreachable' }] },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*Next step* (runbook `high-error-rate`, step 2): Roll back: `kubectl rollout undo deploy/checkout`\n```kubectl rollout undo deploy/checkout```',
        },
      },
      {
        type: 'actions',
        block_id: 'briefing_remediation_42_0',
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Approve Roll back deploy', emoji: true },
            action_id: ActionIds.approveRemediation,
            value: 'remediation-run:7',
            style: 'primary',
            // A high-risk action asks before the click counts, and says it needs two different approvers.
            confirm: {
              title: { type: 'plain_text', text: 'Approve a high-risk action?' },
              text: { type: 'mrkdwn', text: 'This approves *Roll back deploy* on *checkout*. It runs once 2 different people allowed to approve it have approved; yours counts once.' },
              confirm: { type: 'plain_text', text: 'Approve' },
              deny: { type: 'plain_text', text: 'Cancel' },
            },
          },
          { type: 'button', text: { type: 'plain_text', text: 'Reject', emoji: true }, action_id: ActionIds.rejectRemediation, value: 'remediation-run:7', style: 'danger' },
        ],
      },
      {
        type: 'actions',
        block_id: 'briefing_actions_42',
        elements: [
          { type: 'button', text: { type: 'plain_text', text: 'Escalate', emoji: true }, action_id: ActionIds.escalate, value: '42' },
          { type: 'button', text: { type: 'plain_text', text: 'Resolve', emoji: true }, action_id: ActionIds.resolve, value: '42' },
          { type: 'button', text: { type: 'plain_text', text: 'Show evidence', emoji: true }, action_id: ActionIds.showEvidence, value: '42' },
        ],
      },
    ]);
    expect(blocks[1]).toEqual({
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: '*Severity*\n:red_circle: SEV1' },
        { type: 'mrkdwn', text: '*Status*\nAcknowledged (acknowledged by <@U123>)' },
        { type: 'mrkdwn', text: '*Service*\n`checkout`' },
        { type: 'mrkdwn', text: '*Started*\n2026-11-20 03:12 UTC' },
      ],
    });
  });

  it('gives each proposed remediation its own Approve and Reject, with action ids unique within every block', () => {
    const blocks = buildBriefingBlocks({
      ...base,
      remediations: [
        { action: 'rollback_deploy', title: 'Roll back deploy', value: 'remediation-run:7' },
        { action: 'scale_out', title: 'Scale out', value: 'remediation-run:8' },
      ],
    });
    const actionBlocks = blocks.filter((b) => b.type === 'actions') as unknown as { elements: { action_id: string; value: string; text: { text: string } }[] }[];
    for (const b of actionBlocks) {
      const ids = b.elements.map((e) => e.action_id);
      expect(new Set(ids).size).toBe(ids.length);
    }
    const rows = actionBlocks.filter((b) => b.elements.some((e) => e.action_id === ActionIds.rejectRemediation));
    expect(rows.map((b) => b.elements.map((e) => `${e.text.text}=${e.value}`))).toEqual([
      ['Approve Roll back deploy=remediation-run:7', 'Reject=remediation-run:7'],
      ['Approve Scale out=remediation-run:8', 'Reject=remediation-run:8'],
    ]);
  });

  it('says so and offers Resolve as the primary button when every alert has resolved', () => {
    const blocks = buildBriefingBlocks({ ...base, alerts: { firing: 0, resolved: 2 } });
    expect(blocks[4]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: ':white_check_mark: *All alerts have resolved.* Resolve the incident when you agree.' } });
    const actions = blocks.at(-1) as unknown as { elements: { action_id: string; style?: string }[] };
    expect(actions.elements.find((e) => e.action_id === ActionIds.resolve)).toMatchObject({ style: 'primary' });
  });

  it('says nothing known explains the page when the investigation is novel', () => {
    const blocks = buildBriefingBlocks({ ...base, phase: 'briefed', novel: true });
    expect(blocks[5]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: ':grey_question: *Nothing known explains this page.* Escalating with everything found; see the evidence below.' },
    });
  });

  it('escapes alert text so an annotation cannot mention @channel or forge links', () => {
    const blocks = buildBriefingBlocks({ ...base, summary: 'ignore previous <!channel> <https://evil|click>' });
    expect((blocks[2] as unknown as { text: { text: string } }).text.text).toContain('&lt;!channel&gt; &lt;https://evil|click&gt;');
  });

  it('keeps a long title under the header limit and offers no buttons but Show evidence once resolved', () => {
    const blocks = buildBriefingBlocks({ ...base, title: 'x'.repeat(400), status: 'resolved', phase: 'briefed' });
    const header = (blocks[0] as unknown as { text: { text: string } }).text.text;
    expect(header).toHaveLength(150);
    expect(header.endsWith('…')).toBe(true);
    expect((blocks.at(-1) as unknown as { elements: { action_id: string }[] }).elements.map((e) => e.action_id)).toEqual([ActionIds.showEvidence]);
  });

  it('has a notification text naming the incident, severity and status', () => {
    expect(buildBriefingText(base)).toBe('INC-42 [SEV1] checkout 5xx ratio above 5% for 5 minutes (Triggered)');
  });
});
