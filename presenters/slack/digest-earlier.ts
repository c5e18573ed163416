// A coalesced message (a page DM, an alerts-channel line, an escalation note) that reached Slack but was not recorded
// (its answer lost, its record failed, or its process killed between the two) is found before its items are posted
// again: each new message carries a marker (Slack's message metadata) naming its first item, and a delivery of items
// that may have been posted looks for it first. Only a look: Slack not answering it means posting (a second copy is
// better than a page held back).
import type { AppContext } from '../../src/context.js';
import { ExternalServiceError, RateLimitedError } from '../../src/errors.js';
import type { MessageMarker, PostedMessage } from '../../src/incidents/chat-notifier.js';
import type { DigestItem, DigestKind } from '../../src/incidents/digest-repository.js';

/** The history is read from this long before the oldest item was asked for (the app's and Slack's clocks differ). */
export const EARLIER_DIGEST_SLACK_MS = 10 * 60_000;

/** The marker of a new message of `kind` whose first item is `itemId`. */
export function digestMarker(kind: DigestKind, itemId: number): MessageMarker {
  return { type: `${kind}_digest`, key: String(itemId) };
}

// Per database (an app instance): when its presenters started, and the items whose post may have reached Slack
// unrecorded in this process.
const startedAt = new WeakMap<object, Date>();
const maybePosted = new WeakMap<object, Set<number>>();

/** Called when the presenters start: items asked for before then may have been posted by an earlier process. */
export function noteDigestsStarted(ctx: AppContext): void {
  startedAt.set(ctx.knex, ctx.clock.now());
}

/** Whether any of the items may be in a message already: asked for before this process, or a post of it failed. */
export function mayHaveBeenPosted(ctx: AppContext, items: DigestItem[]): boolean {
  const started = startedAt.get(ctx.knex);
  const failed = maybePosted.get(ctx.knex);
  return items.some((i) => (started && i.requestedAt < started) || failed?.has(i.id));
}

/**
 * Posts a new message of the items with `post`, then records it with `record`; when either fails after the post may
 * have reached Slack (anything but a refusal before it: a rate limit, a permanent error), the items are remembered as
 * maybe posted, so their next delivery looks for the message first.
 */
export async function postDigestOnce<T>(
  ctx: AppContext,
  items: DigestItem[],
  post: () => Promise<PostedMessage>,
  record: (at: PostedMessage) => Promise<T>,
): Promise<{ at: PostedMessage; recorded: T }> {
  let at: PostedMessage;
  try {
    at = await post();
  } catch (err) {
    const refused = err instanceof RateLimitedError || (err instanceof ExternalServiceError && !err.retryable);
    if (!refused) remember(ctx, items);
    throw err;
  }
  try {
    const recorded = await record(at);
    forget(ctx, items);
    return { at, recorded };
  } catch (err) {
    remember(ctx, items);
    throw err;
  }
}

function remember(ctx: AppContext, items: DigestItem[]): void {
  let set = maybePosted.get(ctx.knex);
  if (!set) maybePosted.set(ctx.knex, (set = new Set()));
  for (const i of items) set.add(i.id);
}

function forget(ctx: AppContext, items: DigestItem[]): void {
  const set = maybePosted.get(ctx.knex);
  if (set) for (const i of items) set.delete(i.id);
}

/**
 * The message an earlier attempt posted with some of these items, when Slack shows one (its marker names one of them
 * as its first); undefined when none, or when Slack did not answer the look (logged).
 */
export async function earlierDigestMessage(
  ctx: AppContext,
  kind: DigestKind,
  target: string,
  items: DigestItem[],
): Promise<PostedMessage | undefined> {
  const oldest = Math.min(...items.map((i) => i.requestedAt.getTime()));
  try {
    return await ctx.chat.findOwnMessage(
      kind === 'page' ? { user: target } : target,
      items.map((i) => digestMarker(kind, i.id)),
      new Date(oldest - EARLIER_DIGEST_SLACK_MS),
    );
  } catch (err) {
    ctx.logger.warn(
      { err, kind, target },
      'could not look for a message posted before with these items; posting them (they may show twice)',
    );
    return undefined;
  }
}
