// Escalation notes of incidents without a channel, coalesced: one line per step and people, naming every incident,
// saying how late and why (the copilot was down, or its queue was busy) from what the runner knew.
import { describe, expect, it } from 'vitest';
import {
  buildEscalationDigestBlocks,
  buildEscalationDigestText,
  buildEscalationNoticeText,
  buildPageBlocks,
  lateReason,
} from '../../../blocks/oncall.js';
import type { EscalationNotice } from '../../../src/oncall/escalation-notice.js';
import { blocksText, MESSAGE_BLOCKS_TEXT_MAX, validateBlocks } from '../../../sandbox/slack/block-kit.js';

const paging = (n: number, over: Partial<Extract<EscalationNotice, { kind: 'paging' }>> = {}): EscalationNotice => ({
  kind: 'paging',
  publicId: `INC-${n}`,
  users: ['U0PRIYA'],
  unresolved: [],
  step: 1,
  steps: 3,
  round: 0,
  lateByMs: 0,
  ...over,
});

describe('late causes', () => {
  it('says the copilot was down, or that its queue was busy, and claims neither when it was not recorded', () => {
    expect(buildEscalationNoticeText(paging(1, { lateByMs: 40_000, lateCause: 'busy' }))).toBe(
      ':pager: INC-1: paging <@U0PRIYA> (step 1 of 3) (40s late: the copilot was running but its queue was busy).',
    );
    expect(buildEscalationNoticeText(paging(1, { lateByMs: 95_000, lateCause: 'down' }))).toContain(
      '(1m35s late: the copilot was not running at its time)',
    );
    expect(lateReason(undefined)).toBe('delayed');
  });

  it('puts the cause on the page DM too', () => {
    const blocks = buildPageBlocks({
      incidentId: 1,
      publicId: 'INC-1',
      severity: 'sev1',
      title: 't',
      service: null,
      channelId: null,
      step: 1,
      steps: 2,
      round: 0,
      lateByMs: 12_000,
      lateCause: 'busy',
    });
    expect(JSON.stringify(blocks)).toContain('sent 12s late: the copilot was running but its queue was busy');
  });
});

describe('coalesced escalation notices', () => {
  it('groups the paging notices of one step to the same people into one line naming every incident', () => {
    const text = buildEscalationDigestText([
      paging(1),
      paging(2, { lateByMs: 30_000, lateCause: 'busy' }),
      paging(3, { users: ['U0SAM'], step: 2 }),
      paging(4),
      { kind: 'exhausted', publicId: 'INC-9' },
    ]);
    expect(text.split('\n')).toEqual([
      ':pager: paging <@U0PRIYA> (step 1 of 3) for 3 incidents: INC-1, INC-2, INC-4 (1 late, up to 30s: the copilot was running but its queue was busy).',
      ':pager: INC-3: paging <@U0SAM> (step 2 of 3).',
      ':warning: INC-9: nobody acknowledged after every escalation step.',
    ]);
  });

  it('keeps a hundred notices within Slack block limits', () => {
    const notices = Array.from({ length: 100 }, (_, i) => paging(i + 1, { users: [`U${i}`] }));
    const blocks = buildEscalationDigestBlocks(notices);
    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const b of blocks) expect((b as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(3000);
    expect(JSON.stringify(blocks)).toContain('INC-100');
  });

  it("keeps a hundred long notices within Slack's block text limit, every incident still named", () => {
    const notices = Array.from({ length: 100 }, (_, i): EscalationNotice => ({
      kind: 'not_paging',
      publicId: `INC-${i + 1}`,
      reason: `why ${'r'.repeat(300)}`,
    }));
    const blocks = buildEscalationDigestBlocks(notices);
    expect(validateBlocks(blocks)).toEqual([]);
    expect(blocksText(blocks)).toBeLessThanOrEqual(MESSAGE_BLOCKS_TEXT_MAX);
    const json = JSON.stringify(blocks);
    for (let i = 1; i <= 100; i++) expect(json).toContain(`INC-${i}: why`);
  });
});
