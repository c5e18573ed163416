// Coalesced messages: several pages to one person in one DM, several incidents' pointers in one alerts-channel message.
import type { KnownBlock } from './block-kit.js';
import { numberedActionId } from './ids.js';
import {
  blocksTextLength,
  chunkText,
  escapeMrkdwn,
  fitBlocks,
  fitLines,
  messageTextBudget,
  mrkdwnLabel,
  truncate,
  truncateMrkdwn,
  LIMITS,
} from './limits.js';
import {
  buildAnsweredPageBlocks,
  buildPageAnswerLine,
  buildPageBlocks,
  buildPageText,
  type PageAnswer,
} from './oncall.js';
import { buildPointerText, type PointerView } from './status.js';
import type { PageView } from '../src/oncall/page-view.js';

/** Pages one DM lists at most (three blocks each, under Slack's 50 blocks with the heading). */
export const MAX_PAGES_PER_DM = 15;
/**
 * Pointers one alerts-channel message lists at most: one line each, packed into sections, so a storm of a thousand
 * incidents takes five messages (each posted or edited within Slack's one message a second per channel). A message
 * whose full lines would pass Slack's block text limit (messageTextBudget) shows each incident compactly: its id, its
 * channel (or ⏳ while it waits for one), severity and answer, then what the investigation found (or, before that, its
 * title), each line cut to a fair share (about 46 characters when 200 are listed).
 */
export const MAX_POINTERS_PER_MESSAGE = 200;
/** One pointer line at most (a long title is cut), so a full message stays within Slack's 50 blocks. */
const POINTER_LINE_MAX = 400;

export interface DigestPage {
  view: PageView;
  answer: PageAnswer | null;
}

export interface DigestPointer {
  /** `channelId` is '' while the incident waits for its channel (Slack's channel-creation budget is spent). */
  view: PointerView;
  answer: PageAnswer | null;
  /** While it waits for a channel: the investigation's headline, when there is one (the compact briefing). */
  headline?: string | null;
}

/** The DM's notification text: one page reads as before; several name every incident. */
export function buildPageDigestText(pages: DigestPage[]): string {
  if (pages.length === 1) {
    const [p] = pages;
    return p!.answer ? `${buildPageText(p!.view)} (${buildPageAnswerLine(p!.answer)})` : buildPageText(p!.view);
  }
  const ids = pages.map((p) => p.view.publicId).join(', ');
  return truncate(`:rotating_light: You are paged for ${pages.length} incidents: ${ids}`, LIMITS.messageText);
}

/** Each page as it would be alone (with its Acknowledge button until answered), under a heading when several. */
export function buildPageDigestBlocks(pages: DigestPage[]): KnownBlock[] {
  const one = (p: DigestPage) => (p.answer ? buildAnsweredPageBlocks(p.view, p.answer) : buildPageBlocks(p.view));
  if (pages.length === 1) return one(pages[0]!);
  // Each page's buttons get their own action ids within the message (the listener takes every numbered copy).
  const numbered = (blocks: KnownBlock[], n: number): KnownBlock[] =>
    blocks.map((b) =>
      b.type === 'actions'
        ? {
            ...b,
            elements: b.elements.map((e) =>
              'action_id' in e && e.action_id ? { ...e, action_id: numberedActionId(e.action_id, n) } : e,
            ),
          }
        : b,
    );
  const waiting = pages.filter((p) => !p.answer).length;
  const heading: KnownBlock = {
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: `:rotating_light: *${pages.length} pages* (${waiting} waiting for an answer). Newest last.`,
    },
  };
  return fitBlocks([heading, ...pages.flatMap((p, n) => numbered(one(p), n))]);
}

/** A pointer's one line: its channel, or that it waits for one and what the investigation found so far. */
export function buildPointerLine(p: DigestPointer): string {
  const answer = p.answer ? ` · ${buildPageAnswerLine(p.answer)}` : '';
  if (p.view.channelId) return truncateMrkdwn(`${buildPointerText(p.view)}${answer}`, POINTER_LINE_MAX);
  const v = p.view;
  const svc = v.service ? ` \`${mrkdwnLabel(v.service)}\`` : '';
  const found = p.headline ? `\n      :mag: ${escapeMrkdwn(p.headline)}` : ' · :mag: investigating';
  return truncateMrkdwn(
    `:rotating_light: *${v.publicId}* [${v.severity.toUpperCase()}]${svc} ${truncateMrkdwn(escapeMrkdwn(v.title), 200)} · :hourglass: channel soon${answer}${found}`,
    POINTER_LINE_MAX,
  );
}

export function buildPointerDigestText(pointers: DigestPointer[]): string {
  if (pointers.length === 1) {
    const [p] = pointers;
    return p!.answer ? `${buildPointerText(p!.view)} (${buildPageAnswerLine(p!.answer)})` : buildPointerText(p!.view);
  }
  const ids = pointers.map((p) => p.view.publicId).join(', ');
  return truncate(`:rotating_light: ${pointers.length} incidents opened: ${ids}`, LIMITS.messageText);
}

/**
 * Each incident's line, packed into as few sections as fit (so up to MAX_POINTERS_PER_MESSAGE fit in one message);
 * a heading says how many wait for a channel, when any do.
 */
export function buildPointerDigestBlocks(pointers: DigestPointer[]): KnownBlock[] {
  const waiting = pointers.filter((p) => !p.view.channelId).length;
  const lines = pointers.map(buildPointerLine);
  const full = lines.reduce((n, l) => n + l.length + 1, 0);
  // Full lines while they fit Slack's block text limit (with the heading and about four sections), else compact ones.
  const compact = full > messageTextBudget(6) - HEADING_ROOM;
  const heading: KnownBlock[] = waiting
    ? [
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text:
                `:hourglass: ${waiting} of these wait for a channel: Slack lets an app create about 20 a minute, ` +
                (compact
                  ? `so each is listed here, as briefly as this many allow, with what the investigation found so far, ` +
                    `and gets its channel and full briefing in turn (SEV1 first).`
                  : `so each is listed here with what the investigation found, and gets its channel and full briefing ` +
                    `in turn (SEV1 first).`),
            },
          ],
        },
      ]
    : [];
  const shown = compact
    ? fitLines(pointers.map(compactPointerLine), messageTextBudget(7) - blocksTextLength(heading))
    : lines;
  const sections = chunkText(shown.join('\n')).map((text): KnownBlock => ({
    type: 'section',
    text: { type: 'mrkdwn', text },
  }));
  return fitBlocks([...heading, ...sections]);
}

/** Room kept for the heading when deciding between full and compact lines. */
const HEADING_ROOM = 300;

const SHORT_ANSWER: Record<PageAnswer['status'], string> = {
  acknowledged: ' acked',
  resolved: ' resolved',
  alerts_resolved: ' alerts resolved',
};

/**
 * A pointer's line when a message holds too many for full lines: what tells the incidents apart and where to go
 * first (id, channel or ⏳, severity, answer), then what the investigation found (its headline) or, before that, the
 * title, which a fair cut may shorten.
 */
export function compactPointerLine(p: DigestPointer): string {
  const v = p.view;
  const where = v.channelId ? `<#${v.channelId}>` : '⏳';
  const answer = p.answer ? SHORT_ANSWER[p.answer.status] : '';
  const what = !v.channelId && p.headline ? `🔍 ${escapeMrkdwn(p.headline)}` : escapeMrkdwn(v.title);
  return `*${v.publicId}* ${where} ${v.severity.toUpperCase()}${answer} ${truncateMrkdwn(what, 300)}`;
}
