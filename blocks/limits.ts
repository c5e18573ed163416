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
  /**
   * The text of one message's blocks together. Slack answers `msg_blocks_too_long` past about 12,000 characters of it
   * (undocumented for most blocks; the markdown block's documented cumulative limit is 12,000, and reports put the
   * cut-off between 11,300 and 13,300 counting the blocks' structure); 10,000 leaves room for that structure.
   */
  messageBlocksText: 10_000,
  /**
   * What each block is charged against messageBlocksText besides its text: reports of Slack's refusals suggest it
   * counts the blocks' structure too (a message of many blocks is refused with less text).
   */
  blockAllowance: 40,
} as const;

/** The text a message of `blocks` blocks may hold (LIMITS.messageBlocksText less each block's allowance). */
export function messageTextBudget(blocks: number): number {
  return LIMITS.messageBlocksText - LIMITS.blockAllowance * blocks;
}

/** Cuts text to at most `max` characters, ending in "…" when cut (never half of a character outside the BMP). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return '…'.slice(0, max);
  return `${wholeChars(text.slice(0, max - 1))}…`;
}

/** Drops a lone high surrogate a cut left at the end (half of an emoji). */
function wholeChars(text: string): string {
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, -1) : text;
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
  if (fitted.length <= LIMITS.blocks) return fitMessageText(fitted);
  const kept = fitted.slice(0, LIMITS.blocks - 1);
  const omitted = fitted.length - kept.length;
  const note: KnownBlock = {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `…${omitted} more block${omitted === 1 ? '' : 's'} not shown` }],
  };
  return fitMessageText([...kept, note]);
}

/** The characters of every `text` string in blocks (what Slack's cumulative block limit counts). */
export function blocksTextLength(blocks: unknown): number {
  if (Array.isArray(blocks)) return blocks.reduce((n: number, b) => n + blocksTextLength(b), 0);
  if (!blocks || typeof blocks !== 'object') return 0;
  let n = 0;
  for (const [key, value] of Object.entries(blocks))
    n += key === 'text' && typeof value === 'string' ? value.length : blocksTextLength(value);
  return n;
}

/**
 * Cuts mrkdwn to at most `max` characters (ending in "…" when cut) without leaving half a `<…>` link or mention or
 * half an `&…;` entity (the cut moves before it) or a code span open (it is closed after the ellipsis).
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let kept = wholeChars(text.slice(0, Math.max(0, max - 1)));
  const link = kept.lastIndexOf('<');
  if (link > kept.lastIndexOf('>')) kept = kept.slice(0, link);
  const amp = kept.lastIndexOf('&');
  if (amp >= 0 && !kept.slice(amp).includes(';') && amp >= kept.length - 6) kept = kept.slice(0, amp);
  // A code span left open would swallow the ellipsis and whatever follows: closed instead.
  const open = (t: string) => (t.match(/`/g)?.length ?? 0) % 2 === 1;
  if (!open(kept)) return `${kept}…`;
  kept = wholeChars(kept.slice(0, Math.max(0, max - 2)));
  return open(kept) ? `${kept}…\`` : `${kept}…`;
}

/** Untrusted text for a label in mrkdwn (a service, a team): escaped, at most `max` characters as shown. */
export function mrkdwnLabel(text: string, max = 80): string {
  return truncateMrkdwn(escapeMrkdwn(text), max);
}

/**
 * The largest length c such that the texts, each cut to c, add up to at most `budget` characters (the longest are cut
 * first; short ones stay whole). Infinity when they fit uncut.
 */
export function fairCut(lengths: number[], budget: number): number {
  const total = lengths.reduce((a, b) => a + b, 0);
  if (total <= budget) return Infinity;
  const sorted = [...lengths].sort((a, b) => a - b);
  let used = 0;
  for (let i = 0; i < sorted.length; i++) {
    const rest = sorted.length - i;
    const cap = Math.floor((budget - used) / rest);
    if (cap < sorted[i]!) return Math.max(1, cap);
    used += sorted[i]!;
  }
  return Infinity;
}

/**
 * Lines joined with newlines within `budget` characters: when they do not fit, the longest are cut (mrkdwn-aware) to
 * one fair length, so every line still shows its start and none is dropped.
 */
export function fitLines(lines: string[], budget: number): string[] {
  const cap = fairCut(
    lines.map((l) => l.length),
    budget - Math.max(0, lines.length - 1),
  );
  return cap === Infinity ? lines : lines.map((l) => truncateMrkdwn(l, cap));
}

/**
 * Keeps a message's blocks within messageTextBudget: when their text is longer, the longest section, field and
 * context texts are cut to one fair length (buttons, headers and every block stay, so no action is lost).
 */
function fitMessageText<T extends KnownBlock | LooseBlock>(blocks: T[]): T[] {
  const total = blocksTextLength(blocks);
  const budget = messageTextBudget(blocks.length);
  if (total <= budget) return blocks;
  const cuttable: Array<{ text: string }> = [];
  const copy = structuredClone(blocks) as Array<Record<string, unknown>>;
  for (const b of copy) {
    const section = b.text as { text?: unknown } | undefined;
    if (b.type === 'section' && section && typeof section.text === 'string') cuttable.push(section as { text: string });
    for (const list of [b.fields, b.type === 'context' ? b.elements : undefined])
      if (Array.isArray(list))
        for (const e of list as Array<{ text?: unknown }>)
          if (typeof e.text === 'string') cuttable.push(e as { text: string });
  }
  const fixed = total - cuttable.reduce((n, t) => n + t.text.length, 0);
  const cap = fairCut(
    cuttable.map((t) => t.text.length),
    budget - fixed,
  );
  if (cap !== Infinity) for (const t of cuttable) t.text = truncateMrkdwn(t.text, cap);
  return copy as T[];
}

function fitText<T extends object>(obj: T, max: number): T {
  if (!('text' in obj) || typeof obj.text !== 'string' || obj.text.length <= max) return obj;
  const mrkdwn = 'type' in obj && obj.type === 'mrkdwn';
  return { ...obj, text: mrkdwn ? truncateMrkdwn(obj.text, max) : truncate(obj.text, max) };
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
  // A confirmation dialog: Slack's limits are 100 characters for its title, 300 for its text, 30 for each button.
  const c = button.confirm;
  if (c)
    out.confirm = {
      ...c,
      ...(c.title ? { title: fitText(c.title, 100) } : {}),
      ...(c.text ? { text: fitText(c.text, 300) } : {}),
      ...(c.confirm ? { confirm: fitText(c.confirm, 30) } : {}),
      ...(c.deny ? { deny: fitText(c.deny, 30) } : {}),
    };
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
