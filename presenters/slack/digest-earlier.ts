// A coalesced message (a page DM, an alerts-channel line, an escalation note) that reached Slack but was not recorded
// (its answer lost, its record failed, or its process killed between the two) is found before its items are posted
// again. Each new message carries a marker (Slack's message metadata) naming its items, each by its id and the instant
// it was first asked for (so a database started afresh, whose ids start again, never takes an older message for its
// own); just before it is posted, its items' `post_attempted_at` is written. A delivery of items with that mark (in any
// process) looks for the message first. Only a look: Slack not answering it means posting, since a second copy is
// better than a page held back.
import type { AppContext } from '../../src/context.js';
import { ExternalServiceError, RateLimitedError } from '../../src/errors.js';
import type { ChatBlock, MessageMarker, PostedMessage } from '../../src/incidents/chat-notifier.js';
import { markDigestPostAttempted, type DigestItem, type DigestKind } from '../../src/incidents/digest-repository.js';

/** The history is read from this long before the items' first post attempt (the app's and Slack's clocks differ). */
export const EARLIER_DIGEST_SLACK_MS = 10 * 60_000;

/** An item as its message's marker names it: its id and when it was first asked for (base 36). */
const itemKey = (i: DigestItem) => `${i.id.toString(36)}.${i.requestedAt.getTime().toString(36)}`;

/** The marker of a new message of `kind` showing `items`. */
export function digestMarker(kind: DigestKind, items: DigestItem[]): MessageMarker {
  return { type: `${kind}_digest`, key: items.map(itemKey).join(',') };
}

/** A message an earlier attempt posted, and the waiting items it shows. */
export interface EarlierDigest extends PostedMessage {
  items: DigestItem[];
}

/**
 * The newest message an earlier attempt posted with any of `taken` (those whose post was attempted), and the items of
 * `waiting` it names; undefined when none, or when Slack did not answer the look (logged).
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
  const wanted = new Set(attempted.map(itemKey));
  const since = new Date(Math.min(...attempted.map((i) => i.postAttemptedAt!.getTime())) - EARLIER_DIGEST_SLACK_MS);
  try {
    const found = await ctx.chat.findOwnMessage(
      kind === 'page' ? { user: target } : target,
      `${kind}_digest`,
      since,
      (key) => key.split(',').some((k) => wanted.has(k)),
    );
    if (!found) return undefined;
    const named = new Set(found.key.split(','));
    return { channel: found.channel, ts: found.ts, items: waiting.filter((i) => named.has(itemKey(i))) };
  } catch (err) {
    ctx.logger.warn(
      { err, kind, target },
      'could not look for a message posted before with these items; posting them (they may show twice)',
    );
    return undefined;
  }
}

/**
 * Brings the message an earlier attempt posted up to date; false when it cannot be edited for good (deleted, refused:
 * logged), so its items are posted anew. A failure that may pass is thrown (the items keep waiting, marked).
 */
export async function updateEarlier(
  ctx: AppContext,
  earlier: PostedMessage,
  text: string,
  blocks: ChatBlock[],
): Promise<boolean> {
  try {
    await ctx.chat.updateMessage(earlier.channel, earlier.ts, text, blocks);
    return true;
  } catch (err) {
    if (!(err instanceof ExternalServiceError) || err.retryable) throw err;
    ctx.logger.warn({ err, ...earlier }, 'could not edit a message posted before; posting its items again');
    return false;
  }
}

/**
 * Posts a new message of `items` with its marker, after marking them attempted (kept from an earlier attempt, the
 * oldest). A post refused before it reached Slack (a rate limit, a permanent refusal) takes back the mark of the items
 * this attempt marked first, so their next delivery does not look in vain.
 */
export async function postDigest(
  ctx: AppContext,
  kind: DigestKind,
  target: string,
  items: DigestItem[],
  text: string,
  blocks: ChatBlock[],
): Promise<PostedMessage> {
  const fresh = items.filter((i) => !i.postAttemptedAt).map((i) => i.id);
  if (fresh.length) await markDigestPostAttempted(ctx.knex, fresh, ctx.clock.now());
  const marker = digestMarker(kind, items);
  try {
    return kind === 'page'
      ? await ctx.chat.sendDirect(target, text, blocks, marker)
      : await ctx.chat.postMessage(target, text, blocks, undefined, marker);
  } catch (err) {
    const refused = err instanceof RateLimitedError || (err instanceof ExternalServiceError && !err.retryable);
    if (refused && fresh.length)
      await markDigestPostAttempted(ctx.knex, fresh, null).catch((e: unknown) =>
        ctx.logger.warn({ err: e }, 'could not take back the post mark of refused items (their next delivery looks)'),
      );
    throw err;
  }
}
