// A coalesced message (a page DM, an alerts-channel line, an escalation note) that reached Slack but was not recorded
// (its answer lost, its record failed, or its process killed between the two) is found before its items are shown
// again. Each message carries a marker (Slack's message metadata) naming its items, each by its id and the instant it
// was first asked for (so a database started afresh, whose ids start again, never takes an older message for its
// own): set when it is posted and again whenever an edit adds items. Just before either, the items' `post_attempted_at`
// is written. A delivery of items with that mark (in any process) looks for the message first. Only a look: Slack not
// answering it means posting, since a second copy is better than a page held back.
import type { AppContext } from '../../src/context.js';
import { ExternalServiceError, RateLimitedError } from '../../src/errors.js';
import type { ChatBlock, MessageMarker, PostedMessage } from '../../src/incidents/chat-notifier.js';
import {
  markDigestPostAttempted,
  unmarkDigestPostAttempted,
  type DigestItem,
  type DigestKind,
} from '../../src/incidents/digest-repository.js';

/** The history is read from this long before the items' first attempt (the app's and Slack's clocks differ). */
export const EARLIER_DIGEST_SLACK_MS = 10 * 60_000;

/** An item as its message's marker names it: its id and when it was first asked for (base 36). */
const markerKeyOf = (i: DigestItem) => `${i.id.toString(36)}.${i.requestedAt.getTime().toString(36)}`;

/** The marker of a message of `kind` showing `items`. */
export function digestMarker(kind: DigestKind, items: DigestItem[]): MessageMarker {
  return { type: `${kind}_digest`, key: items.map(markerKeyOf).join(',') };
}

/** A message an earlier attempt posted or edited, and the waiting items it names. */
export interface EarlierDigest extends PostedMessage {
  items: DigestItem[];
}

/**
 * The newest message an earlier attempt posted or edited with any of `taken` (those marked), and the items of `waiting`
 * it names; undefined when there is none, none of them is marked, or Slack did not answer the look (logged).
 */
export async function earlierDigestMessage(
  ctx: AppContext,
  kind: DigestKind,
  target: string,
  taken: DigestItem[],
  waiting: DigestItem[],
): Promise<EarlierDigest | undefined> {
  const attempted = taken.filter((i) => i.postAttemptedAt);
  if (!attempted.length) return undefined;
  const wanted = new Set(attempted.map(markerKeyOf));
  const since = new Date(Math.min(...attempted.map((i) => i.postAttemptedAt!.getTime())) - EARLIER_DIGEST_SLACK_MS);
  try {
    const where = kind === 'page' ? { user: target } : target;
    const found = await ctx.chat.findOwnMessage(where, `${kind}_digest`, since, (key) =>
      key.split(',').some((k) => wanted.has(k)),
    );
    if (!found) return undefined;
    const named = new Set(found.key.split(','));
    return { channel: found.channel, ts: found.ts, items: waiting.filter((i) => named.has(markerKeyOf(i))) };
  } catch (err) {
    ctx.logger.warn(
      { err, kind, target },
      'could not look for a message posted before with these items; posting them (they may show twice)',
    );
    return undefined;
  }
}

/**
 * When the items found in `earlier` were shown: the message's own time (Slack's ts) within their first attempt and
 * now, since the clocks may differ (a message found by an edit that added them has its first post's ts: then the
 * attempt's time).
 */
export function shownAt(ctx: AppContext, earlier: EarlierDigest): Date {
  const now = ctx.clock.now().getTime();
  const attempt = Math.min(now, ...earlier.items.map((i) => i.postAttemptedAt?.getTime() ?? now));
  const posted = Number(earlier.ts) * 1000;
  return new Date(Number.isFinite(posted) ? Math.max(attempt, Math.min(now, posted)) : attempt);
}

/**
 * Brings the message an earlier attempt posted up to date (its text and marker); false when Slack refused the edit
 * (logged), so its items are posted anew: a message the app may no longer edit (`cant_update_message`) would else
 * hold every later item of the target back. A rate limit is thrown (the job waits its turn and looks again).
 */
export async function updateEarlier(
  ctx: AppContext,
  earlier: PostedMessage,
  text: string,
  blocks: ChatBlock[],
  marker: MessageMarker,
): Promise<boolean> {
  try {
    await ctx.chat.updateMessage(earlier.channel, earlier.ts, text, blocks, marker);
    return true;
  } catch (err) {
    if (!(err instanceof ExternalServiceError) || err instanceof RateLimitedError) throw err;
    ctx.logger.warn({ err, ...earlier }, 'could not edit a message posted before; posting its items again');
    return false;
  }
}

/** The mark this attempt wrote: when, and on which items (those no earlier attempt had marked). */
export interface AttemptMark {
  at: Date;
  items: DigestItem[];
}

/**
 * Marks the items not marked yet as about to be shown (one statement; the in-memory items too), before a post or an
 * edit that adds them: if its answer is lost, the next delivery of any of them looks for the message first.
 */
export async function markAttempt(ctx: AppContext, items: DigestItem[]): Promise<AttemptMark | undefined> {
  const fresh = items.filter((i) => !i.postAttemptedAt);
  if (!fresh.length) return undefined;
  const at = ctx.clock.now();
  const marked = await markDigestPostAttempted(
    ctx.knex,
    fresh.map((i) => i.id),
    at,
  );
  // An item another process marked since it was read keeps that mark: it counts as attempted, but is not this
  // attempt's to take back.
  for (const i of fresh) i.postAttemptedAt = at;
  const mine = fresh.filter((i) => marked.has(i.id));
  return mine.length ? { at, items: mine } : undefined;
}

/**
 * After a post or edit failed with `err`: when Slack refused it before showing anything (a rate limit, a permanent
 * refusal), takes back this attempt's mark (only where it is still this attempt's), so the next delivery does not look
 * in vain. A failure that may have reached Slack (5xx, a timeout, a lost answer) keeps it.
 */
export async function takeBackIfRefused(ctx: AppContext, mark: AttemptMark | undefined, err: unknown): Promise<void> {
  const refused = err instanceof RateLimitedError || (err instanceof ExternalServiceError && !err.retryable);
  if (!refused || !mark) return;
  try {
    await unmarkDigestPostAttempted(
      ctx.knex,
      mark.items.map((i) => i.id),
      mark.at,
    );
    for (const i of mark.items) if (i.postAttemptedAt === mark.at) i.postAttemptedAt = null;
  } catch (e) {
    ctx.logger.warn({ err: e }, 'could not take back the mark of refused items (their next delivery looks first)');
  }
}

/** Posts a new message of `items` with its marker, marked first (markAttempt; taken back when refused). */
export async function postDigest(
  ctx: AppContext,
  kind: DigestKind,
  target: string,
  items: DigestItem[],
  text: string,
  blocks: ChatBlock[],
): Promise<PostedMessage> {
  const mark = await markAttempt(ctx, items);
  const marker = digestMarker(kind, items);
  try {
    return kind === 'page'
      ? await ctx.chat.sendDirect(target, text, blocks, marker)
      : await ctx.chat.postMessage(target, text, blocks, undefined, marker);
  } catch (err) {
    await takeBackIfRefused(ctx, mark, err);
    throw err;
  }
}
