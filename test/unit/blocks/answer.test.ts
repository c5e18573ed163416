// The answer's Block Kit: escaped text, quotes in code spans, only Slack ids as mentions, the evidence cited.
import { expect, it } from 'vitest';
import { buildAnswerBlocks, buildAnswerText } from '../../../blocks/answer.js';

it('renders an answer with every untrusted part escaped and the evidence ids in a context line', () => {
  const blocks = buildAnswerBlocks({
    intent: 'logs',
    title: 'New error lines <b>',
    lines: [
      [{ text: '2× ' }, { quote: 'boom <!channel> `rm -rf` @here\nnext' }, { text: ' [log:x]' }],
      [{ user: 'U0PRIMARY' }, { text: ' and ' }, { user: '<!everyone>' }],
    ],
    evidenceIds: ['log:x', 'deploy:<d>'],
  });
  expect(blocks).toEqual([
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '*New error lines &lt;b&gt;*\n2× `boom &lt;!channel&gt; ˋrm -rfˋ @\u2060here next` [log:x]\n<@U0PRIMARY> and &lt;!everyone&gt;',
      },
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: 'Evidence: log:x, deploy:&lt;d&gt;' }] },
  ]);
  expect(buildAnswerText({ intent: 'help', title: 'Hi <@U1>', lines: [], evidenceIds: [] })).toBe('*Hi &lt;@U1&gt;*');
});

it('says who answered in the context line and offers a proposal already made only as its Approve/Reject buttons', () => {
  const blocks = buildAnswerBlocks({
    intent: 'changes',
    title: 'Claude’s answer',
    lines: [[{ text: 'Deploy d-42 went out. [deploy:d-42]' }]],
    evidenceIds: ['deploy:d-42'],
    note: 'Answered by Claude <!here>',
    offer: {
      runId: 7,
      value: 'remediation-run:7',
      title: 'Roll back deploy',
      service: 'checkout',
      risk: 'high',
      approvals: 2,
    },
  });
  expect(blocks[1]).toEqual({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: 'Evidence: deploy:d-42' },
      { type: 'mrkdwn', text: 'Answered by Claude &lt;!here&gt;' },
    ],
  });
  expect(blocks[2]).toMatchObject({
    type: 'actions',
    block_id: 'remediation_7',
    elements: [
      { action_id: 'remediation_approve', value: 'remediation-run:7', confirm: expect.any(Object) },
      { action_id: 'remediation_reject', value: 'remediation-run:7' },
    ],
  });
  // The deterministic answer of a fallback: its note alone when it cites nothing.
  const fallback = buildAnswerBlocks({
    intent: 'help',
    title: 'Help',
    lines: [],
    evidenceIds: [],
    note: 'Claude is overloaded',
  });
  expect(fallback.at(-1)).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Claude is overloaded' }] });
});
