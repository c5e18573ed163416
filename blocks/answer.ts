// Block Kit of a conversation answer, posted in the question's thread: every text escaped, quotes of untrusted text in
// code spans, people as mentions only when they are Slack ids, and the evidence ids cited in a context line.
import type { Answer, AnswerPart } from '../src/conversation/answer.js';
import { buildRemediationButtons } from './approval.js';
import type { KnownBlock } from './block-kit.js';
import { LIMITS, chunkText, escapeMrkdwn, fitBlocks, truncate } from './limits.js';

function renderPart(p: AnswerPart): string {
  if ('text' in p) return escapeMrkdwn(p.text);
  if ('user' in p) return /^[UW][A-Z0-9]{2,}$/.test(p.user) ? `<@${p.user}>` : escapeMrkdwn(p.user);
  const flat = p.quote.replace(/\s+/g, ' ').trim();
  return flat ? `\`${escapeMrkdwn(flat)}\`` : '``';
}

/** The answer as mrkdwn lines: the title in bold, then each line. */
export function buildAnswerMrkdwn(answer: Answer): string {
  const lines = answer.lines.map((l) => l.map(renderPart).join(''));
  return [`*${escapeMrkdwn(answer.title)}*`, ...lines].join('\n');
}

/** The notification text of an answer (`text` of chat.postMessage), escaped like the blocks. */
export function buildAnswerText(answer: Answer): string {
  return truncate(buildAnswerMrkdwn(answer), LIMITS.messageText);
}

/** Sections of the answer (split to fit), then a context line with the evidence ids cited. */
export function buildAnswerBlocks(answer: Answer): KnownBlock[] {
  const blocks: KnownBlock[] = chunkText(buildAnswerMrkdwn(answer)).map((text) => ({
    type: 'section',
    text: { type: 'mrkdwn', text },
  }));
  const context = [
    ...(answer.evidenceIds.length ? [`Evidence: ${answer.evidenceIds.map(escapeMrkdwn).join(', ')}`] : []),
    // Who answered: Claude (its sentences each cite retrieved evidence), or why the copilot's own answer stands.
    ...(answer.note ? [escapeMrkdwn(answer.note)] : []),
  ];
  if (context.length)
    blocks.push({
      type: 'context',
      elements: context.map((text) => ({ type: 'mrkdwn' as const, text: truncate(text, LIMITS.sectionText) })),
    });
  // A proposal the copilot already made, offered with the briefing's buttons (the click goes through the policy).
  if (answer.offer) blocks.push(buildRemediationButtons(answer.offer));
  return fitBlocks(blocks);
}
