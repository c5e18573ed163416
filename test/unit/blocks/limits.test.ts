// The one Block Kit limits helper: truncation with an ellipsis, at most 50 blocks, section and button limits.
import { describe, expect, it } from 'vitest';
import {
  blocksTextLength,
  chunkText,
  fitBlocks,
  fitLines,
  truncate,
  truncateMrkdwn,
  mrkdwnLabel,
  LIMITS,
} from '../../../blocks/limits.js';
import { buildEvidenceBlocks } from '../../../blocks/evidence.js';
import { blocksText, MESSAGE_BLOCKS_TEXT_MAX, validateBlocks } from '../../../sandbox/slack/block-kit.js';

describe('Block Kit limits', () => {
  it('truncates with an ellipsis to exactly the limit', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });

  it('keeps a message to 50 blocks, the last one saying how many were left out', () => {
    const blocks = Array.from({ length: 60 }, (_, i) => ({ type: 'section', text: { type: 'mrkdwn', text: `b${i}` } }));
    const fitted = fitBlocks(blocks);
    expect(fitted).toHaveLength(50);
    expect(fitted[49]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: '…11 more blocks not shown' }] });
  });

  it('cuts section text to 3000 characters, headers to 150 and button text to 75', () => {
    const [section, header, actions] = fitBlocks([
      { type: 'section', text: { type: 'mrkdwn', text: 'a'.repeat(5000) } },
      { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(200) } },
      {
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: 'b'.repeat(100) }, action_id: 'x', value: '1' }],
      },
    ]) as { text?: { text: string }; elements?: { text: { text: string } }[] }[];
    expect(section!.text!.text).toHaveLength(3000);
    expect(header!.text!.text).toHaveLength(150);
    expect(actions!.elements![0]!.text.text).toHaveLength(75);
  });

  it("keeps a message's block text within Slack's cumulative limit: the longest texts are cut, every block and button stays", () => {
    const long = Array.from({ length: 20 }, (_, i) => ({
      type: 'section',
      text: { type: 'mrkdwn', text: `part ${i} ${'x'.repeat(2500)}` },
    }));
    const fitted = fitBlocks([
      { type: 'section', text: { type: 'mrkdwn', text: 'short heading' } },
      ...long,
      {
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: 'Approve' }, action_id: 'approve', value: '1' }],
      },
    ]);
    expect(blocksTextLength(long)).toBeGreaterThan(MESSAGE_BLOCKS_TEXT_MAX);
    expect(fitted).toHaveLength(22);
    expect(blocksTextLength(fitted)).toBeLessThanOrEqual(LIMITS.messageBlocksText);
    // What the local workspace (Slack's model) counts and accepts.
    expect(blocksText(fitted)).toBeLessThanOrEqual(MESSAGE_BLOCKS_TEXT_MAX);
    expect(validateBlocks(fitted)).toEqual([]);
    expect(JSON.stringify(fitted[0])).toContain('short heading');
    expect(JSON.stringify(fitted[21])).toContain('Approve');
    for (let i = 1; i <= 20; i++) expect(JSON.stringify(fitted[i])).toContain(`part ${i - 1} `);
  });

  it('cuts mrkdwn before a link, mention or entity it would split, and lines fairly, short ones whole', () => {
    expect(truncateMrkdwn('see <#C0123456789> now', 12)).toBe('see …');
    expect(truncateMrkdwn('a &amp; b', 4)).toBe('a …');
    expect(truncateMrkdwn('plain text here', 6)).toBe('plain…');
    expect(truncateMrkdwn('a `code span` here', 8)).toBe('a `cod…`');
    expect(truncateMrkdwn('a `code span` here', 8)).toHaveLength(8);
    // Never half an emoji (a surrogate pair), nor an escaped label past its limit.
    expect(truncate('ab🔍cd', 4)).toBe('ab…');
    expect(truncateMrkdwn('ab🔍cd', 4)).toBe('ab…');
    expect(mrkdwnLabel('&'.repeat(80)).length).toBeLessThanOrEqual(80);
    expect(mrkdwnLabel('&'.repeat(80)).endsWith('&amp;…')).toBe(true);
    const lines = fitLines(['short', 'y'.repeat(100), 'z'.repeat(100)], 60);
    expect(lines[0]).toBe('short');
    expect(lines.join('\n').length).toBeLessThanOrEqual(60);
    expect(lines[1]!.startsWith('yyyy')).toBe(true);
    expect(lines[2]!.endsWith('…')).toBe(true);
  });

  it('splits long text on line breaks into chunks that each fit a section', () => {
    const text = Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(40)}`).join('\n');
    const chunks = chunkText(text, 3000);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.length <= 3000)).toBe(true);
    expect(chunks.join('\n')).toBe(text);
  });

  it('puts a very long evidence list into several thread messages, none over the limits', () => {
    const evidence = Array.from({ length: 2000 }, (_, i) => ({
      kind: 'log',
      ref: `line-${i}`,
      detail: 'timeout talking to payments '.repeat(3),
    }));
    const messages = buildEvidenceBlocks({
      novel: false,
      hypotheses: [{ summary: 's', category: 'bad_deploy', confidence: '50%', evidence }],
    });
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) {
      expect(m.length).toBeLessThanOrEqual(50);
      expect(blocksText(m)).toBeLessThanOrEqual(MESSAGE_BLOCKS_TEXT_MAX);
      for (const b of m)
        expect((b as unknown as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(3000);
    }
    const all = messages
      .flat()
      .map((b) => (b as unknown as { text: { text: string } }).text.text)
      .join('\n');
    expect(all).toContain('line-1999');
  });
});
