// Block Kit validation: the limits that make Slack answer invalid_blocks.
import { describe, expect, it } from 'vitest';
import { validateBlocks, validateView } from '../../../../sandbox/slack/block-kit.js';

const button = (action_id: string, text = 'Go', extra: Record<string, unknown> = {}) => ({
  type: 'button',
  action_id,
  text: { type: 'plain_text', text },
  ...extra,
});

describe('validateBlocks', () => {
  it('accepts a typical briefing', () => {
    expect(
      validateBlocks([
        { type: 'header', text: { type: 'plain_text', text: 'INC-1' } },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: 'x' },
          fields: [{ type: 'mrkdwn', text: 'y' }],
          accessory: button('a'),
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'c' }] },
        { type: 'divider' },
        { type: 'image', image_url: 'https://x/y.png', alt_text: 'chart' },
        {
          type: 'actions',
          elements: [
            button('b', 'Approve', { style: 'primary', value: 'v' }),
            button('c', 'Reject', { style: 'danger' }),
          ],
        },
      ]),
    ).toEqual([]);
  });

  it('rejects more than 50 blocks in a message but allows 100 in a modal', () => {
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(validateBlocks(blocks)).toEqual(['[ERROR] no more than 50 items allowed [json-pointer:/blocks]']);
    expect(validateBlocks(blocks, 'modal')).toEqual([]);
  });

  it('rejects unknown block types', () => {
    expect(validateBlocks([{ type: 'banner' }])).toEqual([
      '[ERROR] unsupported type `banner` [json-pointer:/blocks/0/type]',
    ]);
  });

  it('enforces text limits: section 3000, header 150, button 75', () => {
    expect(validateBlocks([{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }])).toEqual([
      '[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
    ]);
    expect(validateBlocks([{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3000) } }])).toEqual([]);
    expect(validateBlocks([{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }])).toEqual([
      '[ERROR] must be one of plain_text [json-pointer:/blocks/0/text/type]',
    ]);
    expect(validateBlocks([{ type: 'actions', elements: [button('a', 'b'.repeat(76))] }])).toEqual([
      '[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]',
    ]);
  });

  it('enforces action_id and value lengths and unique action_ids in a message', () => {
    expect(validateBlocks([{ type: 'actions', elements: [button('a'.repeat(256))] }])).toEqual([
      '[ERROR] must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]',
    ]);
    expect(validateBlocks([{ type: 'actions', elements: [button('a', 'x', { value: 'v'.repeat(2001) })] }])).toEqual([
      '[ERROR] must be a string of less than 2001 characters [json-pointer:/blocks/0/elements/0/value]',
    ]);
    expect(
      validateBlocks([
        { type: 'actions', elements: [button('same')] },
        { type: 'section', text: { type: 'mrkdwn', text: 'x' }, accessory: button('same') },
      ]),
    ).toEqual(['[ERROR] duplicate action_id `same` [json-pointer:/blocks/1/accessory/action_id]']);
  });

  it('rejects duplicate block_ids, bad button styles and sections with neither text nor fields', () => {
    expect(
      validateBlocks([
        { type: 'divider', block_id: 'x' },
        { type: 'divider', block_id: 'x' },
      ]),
    ).toEqual(['[ERROR] duplicate block_id `x` [json-pointer:/blocks/1/block_id]']);
    expect(validateBlocks([{ type: 'actions', elements: [button('a', 'x', { style: 'warning' })] }])).toEqual([
      '[ERROR] must be one of primary, danger [json-pointer:/blocks/0/elements/0/style]',
    ]);
    expect(validateBlocks([{ type: 'section' }])).toEqual([
      '[ERROR] must provide either text or fields [json-pointer:/blocks/0]',
    ]);
  });

  it('rejects more than 10 fields and more than 25 action elements', () => {
    const fields = Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' }));
    expect(validateBlocks([{ type: 'section', fields }])).toEqual([
      '[ERROR] no more than 10 items allowed [json-pointer:/blocks/0/fields]',
    ]);
    const elements = Array.from({ length: 26 }, (_, i) => button(`a${i}`));
    expect(validateBlocks([{ type: 'actions', elements }])).toContain(
      '[ERROR] no more than 25 items allowed [json-pointer:/blocks/0/elements]',
    );
  });
});

describe('validateView', () => {
  const input = (block_id: string) => ({
    type: 'input',
    block_id,
    label: { type: 'plain_text', text: 'L' },
    element: { type: 'plain_text_input', action_id: 'value' },
  });

  it('accepts inputs that share an action_id across blocks, as Slack does', () => {
    expect(
      validateView({
        type: 'modal',
        title: { type: 'plain_text', text: 'T' },
        submit: { type: 'plain_text', text: 'S' },
        blocks: [input('a'), input('b')],
      }),
    ).toEqual([]);
  });

  it('requires a title of at most 24 characters and a submit button when there are inputs', () => {
    expect(
      validateView({ type: 'modal', title: { type: 'plain_text', text: 't'.repeat(25) }, blocks: [input('a')] }),
    ).toEqual([
      '[ERROR] must be less than 25 characters [json-pointer:/view/title/text]',
      '[ERROR] must provide submit when blocks contain input [json-pointer:/view/submit]',
    ]);
  });
});
