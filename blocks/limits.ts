// Block Kit's limits, enforced in one place: text is truncated with an ellipsis and a message keeps under 50 blocks.
import type { types } from '@slack/bolt';
import type { Button, KnownBlock } from './block-kit.js';

type SectionBlock = types.SectionBlock;

export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  contextElements: 10,
  actionsElements: 25,
  /** chat.postMessage's top-level `text` (the notification fallback); Slack truncates past 40,000. */
  messageText: 4000,
} as const;

/** Cuts text to at most `max` characters, ending in "…" when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return '…'.slice(0, max);
  return `${text.slice(0, max - 1)}…`;
}

/** A block built as plain JSON (tests of the limits themselves); every builder returns KnownBlock. */
type LooseBlock = Record<string, unknown> & { type: string };

/**
 * Applies every limit to a list of blocks: header and section texts, section fields, button texts and values,
 * and the block count (the last kept block says how many were left out, so nothing is silently lost).
 */
export function fitBlocks(blocks: KnownBlock[]): KnownBlock[];
export function fitBlocks<T extends LooseBlock>(blocks: T[]): T[];
export function fitBlocks(blocks: Array<KnownBlock | LooseBlock>): Array<KnownBlock | LooseBlock> {
  const fitted = blocks.map((b) => fitBlock(b as KnownBlock));
  if (fitted.length <= LIMITS.blocks) return fitted;
  const kept = fitted.slice(0, LIMITS.blocks - 1);
  const omitted = fitted.length - kept.length;
  const note: KnownBlock = {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `…${omitted} more block${omitted === 1 ? '' : 's'} not shown` }],
  };
  return [...kept, note];
}

function fitText<T extends object>(obj: T, max: number): T {
  if ('text' in obj && typeof obj.text === 'string') return { ...obj, text: truncate(obj.text, max) };
  return obj;
}

function fitBlock(block: KnownBlock): KnownBlock {
  switch (block.type) {
    case 'header':
      return { ...block, text: fitText(block.text, LIMITS.headerText) };
    case 'section': {
      const out: SectionBlock = { ...block };
      if (block.text) out.text = fitText(block.text, LIMITS.sectionText);
      if (Array.isArray(block.fields)) out.fields = block.fields.slice(0, 10).map((f) => fitText(f, 2000));
      if (block.accessory && block.accessory.type === 'button') out.accessory = fitButton(block.accessory);
      return out;
    }
    case 'context':
      return {
        ...block,
        elements: block.elements.slice(0, LIMITS.contextElements).map((e) => fitText(e, LIMITS.sectionText)),
      };
    case 'actions':
      return {
        ...block,
        elements: block.elements.slice(0, LIMITS.actionsElements).map((e) => (e.type === 'button' ? fitButton(e) : e)),
      };
    default:
      return block;
  }
}

function fitButton(button: Button): Button {
  const out: Button = { ...button, text: fitText(button.text, LIMITS.buttonText) };
  if (typeof button.value === 'string') out.value = truncate(button.value, LIMITS.buttonValue);
  return out;
}

/** Splits long text into chunks of at most `max` characters, on line breaks where possible (for thread replies). */
export function chunkText(text: string, max: number = LIMITS.sectionText): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const piece = line.length > max ? truncate(line, max) : line;
    if (current.length + piece.length + 1 > max && current) {
      chunks.push(current);
      current = '';
    }
    current = current ? `${current}\n${piece}` : piece;
  }
  if (current) chunks.push(current);
  return chunks;
}

/** Bidi overrides and isolates: they can make a link or a command read differently from what it is. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F]/g;

/**
 * The one escape for untrusted text (alerts, logs, chat, vendors) in any field Slack renders as mrkdwn: message
 * `text`, mrkdwn blocks, topics and purposes. Slack's rules: &, < and > become &amp;, &lt; and &gt;, so `<!channel>`,
 * `<@U…>`, `<!subteam^…>` and `<https://evil|https://good>` show as typed and never notify or link. It also
 * neutralises what mrkdwn would still read: a backtick cannot close the code span the text sits in (it becomes ˋ),
 * bare @channel/@here/@everyone cannot be parsed as broadcasts, and bidi controls are dropped.
 */
export function escapeMrkdwn(text: string): string {
  return text
    .replace(BIDI_CONTROLS, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/`/g, '\u02CB')
    .replace(/@(channel|here|everyone)\b/gi, '@\u2060$1');
}

/**
 * A mrkdwn link to an untrusted URL: only http(s) is linked; the characters that end a Slack link (|, >, <, space)
 * are percent-encoded in the URL, and the label is escaped. Anything else is shown as escaped text, not linked.
 */
export function mrkdwnLink(url: string, label: string): string {
  if (!/^https?:\/\/[^\s]+$/i.test(url)) return escapeMrkdwn(label);
  const safe = url
    .replace(/[|<>"\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
    .replace(/&/g, '&amp;');
  return `<${safe}|${escapeMrkdwn(label)}>`;
}
