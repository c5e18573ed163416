// Coalesced messages: one page reads exactly as before; several list each page with its own Acknowledge button id.
import { describe, expect, it } from 'vitest';
import {
  buildPageDigestBlocks,
  buildPageDigestText,
  buildPointerDigestBlocks,
  MAX_POINTERS_PER_MESSAGE,
} from '../../../blocks/digest.js';
import { blocksText, MESSAGE_BLOCKS_TEXT_MAX, validateBlocks } from '../../../sandbox/slack/block-kit.js';
import { buildAnsweredPageBlocks, buildPageBlocks } from '../../../blocks/oncall.js';
import { actionIdPattern, ActionIds } from '../../../blocks/ids.js';
import type { PageView } from '../../../src/oncall/page-view.js';

const view = (n: number): PageView => ({
  incidentId: n,
  publicId: `INC-${n}`,
  severity: 'sev1',
  title: `checkout <!channel> down ${n}`,
  service: 'checkout',
  channelId: `C${n}`,
  step: 1,
  steps: 2,
  round: 0,
  lateByMs: 0,
});

describe('page digests', () => {
  it('renders a single page exactly as the page alone', () => {
    expect(buildPageDigestBlocks([{ view: view(1), answer: null }])).toEqual(buildPageBlocks(view(1)));
  });

  it('lists several pages under a heading, numbering the action ids after the first, answered ones without a button', () => {
    const answer = { status: 'acknowledged' as const, by: '<@U1>' };
    const blocks = buildPageDigestBlocks([
      { view: view(1), answer: null },
      { view: view(2), answer },
      { view: view(3), answer: null },
    ]);
    expect(blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: ':rotating_light: *3 pages* (2 waiting for an answer). Newest last.' },
    });
    expect(blocks.slice(4, 7)).toEqual(buildAnsweredPageBlocks(view(2), answer));
    const ids = blocks.flatMap((b) =>
      b.type === 'actions' ? b.elements.map((e) => (e as { action_id: string }).action_id) : [],
    );
    expect(ids).toEqual([ActionIds.acknowledge, `${ActionIds.acknowledge}.2`]);
    expect(ids.every((id) => actionIdPattern(ActionIds.acknowledge).test(id))).toBe(true);
    expect(actionIdPattern(ActionIds.acknowledge).test('incident_acknowledged')).toBe(false);
    expect(
      buildPageDigestText([
        { view: view(1), answer: null },
        { view: view(2), answer },
      ]),
    ).toBe(':rotating_light: You are paged for 2 incidents: INC-1, INC-2');
  });

  it('escapes alert text in every listed page and pointer', () => {
    const json = JSON.stringify([
      buildPageDigestBlocks([
        { view: view(1), answer: null },
        { view: view(2), answer: null },
      ]),
      buildPointerDigestBlocks([
        {
          view: { publicId: 'INC-1', severity: 'sev1', title: '<!channel> x', service: null, channelId: 'C1' },
          answer: null,
        },
      ]),
    ]);
    expect(json).not.toContain('<!channel>');
  });
});

describe('pointer digests in a storm', () => {
  const pointer = (n: number, channelId: string, headline?: string) => ({
    view: {
      publicId: `INC-${n}`,
      severity: 'sev2' as const,
      title: `svc ${n} <!here>`,
      service: 'checkout',
      channelId,
    },
    answer: null,
    headline: headline ?? null,
  });

  it('lists an incident waiting for its channel with what the investigation found, escaped', () => {
    const blocks = buildPointerDigestBlocks([
      pointer(1, 'C1'),
      pointer(2, ''),
      pointer(3, '', 'bad deploy <!channel> of checkout (80%)'),
    ]);
    const json = JSON.stringify(blocks);
    expect(json).toContain('2 of these wait for a channel');
    expect(json).toContain('*INC-2* [SEV2] `checkout` svc 2');
    expect(json).toContain(':mag: investigating');
    expect(json).toContain('bad deploy');
    expect(json).toContain('<#C1>');
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<!here>');
  });

  it("fits a full message of pointers within Slack's block limits, each line keeping its id and channel", () => {
    const many = Array.from({ length: MAX_POINTERS_PER_MESSAGE }, (_, i) => ({
      ...pointer(i, i % 2 ? `C0${String(i).padStart(9, '0')}` : '', 'x'.repeat(500)),
      answer: i % 3 === 0 ? { status: 'acknowledged' as const, by: '<@U0PRIYA>' } : null,
    }));
    const blocks = buildPointerDigestBlocks(many);
    // What Slack (the local workspace's model of it) accepts: 50 blocks, 3,000 a section, 12,000 for the message.
    expect(validateBlocks(blocks)).toEqual([]);
    expect(blocksText(blocks)).toBeLessThanOrEqual(MESSAGE_BLOCKS_TEXT_MAX);
    const text = blocks.map((b) => JSON.stringify(b)).join('');
    for (let i = 0; i < MAX_POINTERS_PER_MESSAGE; i++) {
      expect(text).toContain(`*INC-${i}* `);
      if (i % 2) expect(text).toContain(`<#C0${String(i).padStart(9, '0')}>`);
    }
    expect(text).toContain('acked');
    expect(text).not.toContain('<!here>');
  });

  it('in compact lines, shows what the investigation found for those waiting, ahead of the title, and closes what it cuts', () => {
    const many = Array.from({ length: MAX_POINTERS_PER_MESSAGE }, (_, i) => ({
      ...pointer(i, i % 2 ? `C0${String(i).padStart(9, '0')}` : '', `Bad deploy d-42 of checkout ${'y'.repeat(300)}`),
      view: {
        publicId: `INC-${10_000 + i}`,
        severity: 'sev1' as const,
        title: `\`code\` & <b> ${'t'.repeat(300)}`,
        service: 'payments-gateway-eu-west-1',
        channelId: i % 2 ? `C0${String(i).padStart(9, '0')}` : '',
      },
    }));
    const blocks = buildPointerDigestBlocks(many);
    expect(validateBlocks(blocks)).toEqual([]);
    expect(blocksText(blocks)).toBeLessThanOrEqual(MESSAGE_BLOCKS_TEXT_MAX);
    const lines = blocks
      .filter((b) => b.type === 'section')
      .flatMap((b) => (b as { text: { text: string } }).text.text.split('\n'));
    expect(lines).toHaveLength(MAX_POINTERS_PER_MESSAGE);
    for (const [i, line] of lines.entries()) {
      expect(line.startsWith(`*INC-${10_000 + i}* `)).toBe(true);
      if (i % 2) expect(line).toContain(`<#C0${String(i).padStart(9, '0')}> SEV1`);
      else expect(line).toMatch(/⏳ SEV1 🔍 Bad deploy d-42/);
      expect((line.match(/`/g) ?? []).length % 2).toBe(0);
      expect(line).not.toMatch(/<[^>]*$/);
    }
    expect(JSON.stringify(blocks[0])).toContain('as briefly as this many allow');
  });

  it('keeps the channel link of a page and a line whatever the length of their service label', () => {
    const page = { ...view(1), service: 's'.repeat(13_000), title: '&'.repeat(200), channelId: 'C0LINK' };
    expect(JSON.stringify(buildPageBlocks(page))).toContain('<#C0LINK>');
    const line = JSON.stringify(
      buildPointerDigestBlocks([
        { view: { ...pointer(1, 'C0LINK').view, service: 's'.repeat(13_000), title: '&'.repeat(200) }, answer: null },
      ]),
    );
    expect(line).toContain('<#C0LINK>');
  });

  it('keeps full lines while they fit', () => {
    const blocks = buildPointerDigestBlocks([pointer(1, 'C1'), pointer(2, '', 'pool exhausted')]);
    const json = JSON.stringify(blocks);
    expect(json).toContain('*INC-1* [SEV2] `checkout` svc 1');
    expect(json).toContain('pool exhausted');
  });
});
