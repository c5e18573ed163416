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
