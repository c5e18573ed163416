// The postmortem's review message and Edit modal, by exact equality on the JSON.
import { describe, expect, it } from 'vitest';
import {
  buildPostmortemBlocks,
  buildPostmortemEditModal,
  buildPostmortemText,
  editPartId,
  type PostmortemView,
} from '../../../blocks/postmortem.js';

const view: PostmortemView = {
  postmortemId: 4,
  publicId: 'INC-7',
  status: 'draft',
  version: 2,
  markdown: '# Postmortem\n\nPaged for <!channel> `x` [ev:1].',
  author: 'deterministic',
  prUrl: null,
  issues: [],
  lastError: null,
};

describe('buildPostmortemBlocks', () => {
  it('shows a draft escaped, with Edit, Publish and Discard carrying the postmortem id', () => {
    expect(buildPostmortemText(view)).toBe('Postmortem of INC-7: draft for review');
    expect(buildPostmortemBlocks(view)).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'Postmortem of INC-7' } },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: 'Draft for review · version 2 · drafted from the timeline' }],
      },
      { type: 'section', text: { type: 'mrkdwn', text: '# Postmortem\n\nPaged for &lt;!channel&gt; ˋxˋ [ev:1].' } },
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: 'postmortem_edit', text: { type: 'plain_text', text: 'Edit' }, value: '4' },
          {
            type: 'button',
            action_id: 'postmortem_publish',
            style: 'primary',
            text: { type: 'plain_text', text: 'Publish' },
            value: '4',
          },
          {
            type: 'button',
            action_id: 'postmortem_discard',
            style: 'danger',
            text: { type: 'plain_text', text: 'Discard' },
            value: '4',
          },
        ],
      },
    ]);
  });

  it('shows a published postmortem with its pull request and issue links and no buttons', () => {
    const blocks = buildPostmortemBlocks({
      ...view,
      status: 'published',
      prUrl: 'https://github.com/acme/runbooks/pull/3',
      issues: [{ number: 1, title: 'Add <b>canary</b>', url: 'https://github.com/acme/tracker/issues/1' }],
    });
    expect(blocks.at(-1)).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          'Pull request: <https://github.com/acme/runbooks/pull/3|https://github.com/acme/runbooks/pull/3>\n' +
          'Follow-up: <https://github.com/acme/tracker/issues/1|#1 Add &lt;b&gt;canary&lt;/b&gt;>',
      },
    });
    expect(JSON.stringify(blocks)).not.toContain('postmortem_publish');
  });
});

describe('buildPostmortemEditModal', () => {
  it('splits a long Markdown into parts of at most 3000 characters that join back to it', () => {
    const line = 'x'.repeat(99);
    const markdown = Array.from({ length: 70 }, () => line).join('\n');
    const modal = buildPostmortemEditModal({
      postmortemId: 4,
      publicId: 'INC-7',
      version: 2,
      markdown,
      channelId: 'C1',
    });
    expect(modal.callback_id).toBe('postmortem_edit_modal');
    expect(JSON.parse(modal.private_metadata!)).toEqual({ postmortemId: 4, version: 2, channelId: 'C1' });
    const parts = modal.blocks.map((b) => (b as { element: { initial_value: string; max_length: number } }).element);
    expect(modal.blocks.map((b) => b.block_id)).toEqual([editPartId(0), editPartId(1), editPartId(2)]);
    expect(parts.every((p) => p.initial_value.length <= p.max_length && p.max_length === 3000)).toBe(true);
    expect(parts.map((p) => p.initial_value).join('\n')).toBe(markdown);
  });
});
