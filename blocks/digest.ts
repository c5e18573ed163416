// Coalesced messages: several pages to one person in one DM, several incidents' pointers in one alerts-channel message.
import type { KnownBlock } from './block-kit.js';
import { numberedActionId } from './ids.js';
import { fitBlocks, truncate, LIMITS } from './limits.js';
import {
  buildAnsweredPageBlocks,
  buildPageAnswerLine,
  buildPageBlocks,
  buildPageText,
  type PageAnswer,
} from './oncall.js';
import { buildPointerBlocks, buildPointerText, type PointerView } from './status.js';
import type { PageView } from '../src/oncall/page-view.js';

/** Pages one DM lists at most (three blocks each, under Slack's 50 blocks with the heading). */
export const MAX_PAGES_PER_DM = 15;
/** Pointers one alerts-channel message lists at most (two blocks each once answered). */
export const MAX_POINTERS_PER_MESSAGE = 20;

export interface DigestPage {
  view: PageView;
  answer: PageAnswer | null;
}

export interface DigestPointer {
  view: PointerView;
  answer: PageAnswer | null;
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

export function buildPointerDigestText(pointers: DigestPointer[]): string {
  if (pointers.length === 1) {
    const [p] = pointers;
    return p!.answer ? `${buildPointerText(p!.view)} (${buildPageAnswerLine(p!.answer)})` : buildPointerText(p!.view);
  }
  const ids = pointers.map((p) => p.view.publicId).join(', ');
  return truncate(`:rotating_light: ${pointers.length} incidents opened: ${ids}`, LIMITS.messageText);
}

/** Each incident's pointer line, with who answered it underneath once answered. */
export function buildPointerDigestBlocks(pointers: DigestPointer[]): KnownBlock[] {
  return fitBlocks(
    pointers.flatMap((p): KnownBlock[] => [
      ...buildPointerBlocks(p.view),
      ...(p.answer
        ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: buildPageAnswerLine(p.answer) }] } as KnownBlock]
        : []),
    ]),
  );
}
