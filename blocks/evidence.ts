// The full evidence of an investigation, for thread replies: every hypothesis and item, split into messages that fit.
import { summarizeChecked } from './briefing.js';
import type { KnownBlock } from './block-kit.js';
import { LIMITS, blocksTextLength, chunkText, escapeMrkdwn } from './limits.js';

/** The parts of an investigation result the evidence reply shows. */
export interface EvidenceView {
  novel: boolean;
  hypotheses: {
    summary: string;
    category: string;
    /** "83%", formatted by the core's value formatter (blocks/ shows numbers as given). */
    confidence: string;
    evidence: { kind: string; ref: string; detail: string }[];
  }[];
  checked?: string[];
  anomalies?: string[];
  missing?: string[];
  modelNote?: string;
}

export function buildEvidenceText(publicId: string): string {
  return `Evidence for ${publicId}`;
}

/** What a click on Show evidence gets before the investigation has a result. */
export const EVIDENCE_PENDING_TEXT = 'The investigation is still running; the evidence will follow.';

export function buildEvidencePendingBlocks(): KnownBlock[][] {
  return [[{ type: 'section', text: { type: 'mrkdwn', text: EVIDENCE_PENDING_TEXT } }]];
}

/** A reply left over from a longer earlier version of the evidence, emptied rather than left stale. */
export function buildEvidenceMovedBlocks(): KnownBlock[] {
  return [{ type: 'context', elements: [{ type: 'mrkdwn', text: '(evidence moved to the reply above)' }] }];
}

/**
 * One or more messages (each a list of blocks: under 50 blocks, 3,000 characters a section and Slack's block text
 * limit for the message, LIMITS.messageBlocksText).
 */
export function buildEvidenceBlocks(view: EvidenceView): KnownBlock[][] {
  const lines: string[] = [];
  view.hypotheses.forEach((h, i) => {
    lines.push(`*${i + 1}. ${escapeMrkdwn(h.summary)}* (${h.confidence}, ${h.category.replace(/_/g, ' ')})`);
    for (const e of h.evidence)
      lines.push(`• _${e.kind.replace(/_/g, ' ')}_ \`${escapeMrkdwn(e.ref)}\`: ${escapeMrkdwn(e.detail)}`);
    if (h.evidence.length === 0) lines.push('• no evidence retrieved');
    lines.push('');
  });
  if (view.novel) lines.push('*No known failure explains this page.*');
  if (view.anomalies?.length)
    lines.push(`*Anomalous:*\n${view.anomalies.map((a) => `• ${escapeMrkdwn(a)}`).join('\n')}`);
  if (view.checked?.length)
    lines.push(
      `*Checked and normal:*\n${summarizeChecked(view.checked)
        .map((c) => `• ${escapeMrkdwn(c)}`)
        .join('\n')}`,
    );
  if (view.missing?.length)
    lines.push(`*Missing evidence:*\n${view.missing.map((m) => `• ${escapeMrkdwn(m)}`).join('\n')}`);
  if (view.modelNote) lines.push(`_${escapeMrkdwn(view.modelNote)}_`);
  const sections = chunkText(lines.join('\n').trim() || 'No evidence was retrieved.', LIMITS.sectionText).map(
    (text): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } }),
  );
  const messages: KnownBlock[][] = [];
  let current: KnownBlock[] = [];
  let size = 0;
  for (const section of sections) {
    const length = blocksTextLength(section);
    if (current.length && (current.length === LIMITS.blocks || size + length > LIMITS.messageBlocksText)) {
      messages.push(current);
      current = [];
      size = 0;
    }
    current.push(section);
    size += length;
  }
  if (current.length) messages.push(current);
  return messages;
}
