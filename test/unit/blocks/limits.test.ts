// The one Block Kit limits helper: truncation with an ellipsis, at most 50 blocks, section and button limits.
import { describe, expect, it } from 'vitest';
import { chunkText, fitBlocks, truncate } from '../../../blocks/limits.js';
import { buildEvidenceBlocks } from '../../../blocks/evidence.js';

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
