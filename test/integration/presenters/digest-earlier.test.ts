// A coalesced message whose post reached Slack but was not recorded (presenters/slack/digest-earlier.ts), on PGlite with
// the recording chat: the next delivery finds it by its marker and records the items it names there instead of posting
// a second copy; the window for adding to it counts from the first attempt, so a later page is a new DM (a
// notification), not a silent edit; a marker of an older database's item with the same id is not taken; a post
// refused before it reached Slack takes its mark back, so the next delivery does not look.
import { expect, it } from 'vitest';
import { deliverDigest, DIGEST_WINDOW_MS } from '../../../presenters/slack/chat-digest.js';
import { digestMarker, postDigest } from '../../../presenters/slack/digest-earlier.js';
import { ExternalServiceError, RateLimitedError } from '../../../src/errors.js';
import { findDigestItem, requestDigestItem } from '../../../src/incidents/digest-repository.js';
import type { AppContext } from '../../../src/context.js';
import { testClock } from '../../helpers/test-clock.js';
import { Recorder, handlerContext, insertIncident, useHandlerDatabase } from '../../helpers/handler-context.js';

const pg = useHandlerDatabase();

function setup() {
  const rec = new Recorder();
  const clock = testClock();
  const ctx = handlerContext(rec, { db: pg.db, queue: pg.queue, clock });
  return { rec, clock, ctx };
}

let incidents = 0;
async function pageItem(ctx: AppContext, user: string) {
  const incident = await insertIncident(ctx, { channelId: `C0${user}${++incidents}` });
  return requestDigestItem(ctx.knex, { kind: 'page', target: user, incidentId: incident.id, at: ctx.clock.now() });
}

/** The chat's next sendDirect reaches the chat (recorded) and then fails as `err` would (its answer lost). */
function loseNextDm(ctx: AppContext, err: Error): void {
  const send = ctx.chat.sendDirect.bind(ctx.chat);
  ctx.chat.sendDirect = async (...args) => {
    ctx.chat.sendDirect = send;
    await send(...args);
    throw err;
  };
}

const lost = () => new ExternalServiceError('slack', 'socket hang up', { retryable: true });
const calls = (rec: Recorder, method: string) => rec.chat.filter((c) => c.method === method);

it('finds a page DM whose answer was lost by its marker and records it there, without a second DM', async () => {
  const { rec, ctx } = setup();
  const item = await pageItem(ctx, 'U0LOST');
  loseNextDm(ctx, lost());
  await expect(deliverDigest(ctx, 'page', 'U0LOST', item.id)).rejects.toThrow('socket hang up');
  const marked = (await findDigestItem(ctx.knex, item.id))!;
  expect(marked.ts).toBeNull();
  expect(marked.postAttemptedAt).not.toBeNull();

  await deliverDigest(ctx, 'page', 'U0LOST', item.id);
  expect(calls(rec, 'sendDirect')).toHaveLength(1);
  expect(calls(rec, 'findOwnMessage')).toHaveLength(1);
  expect(calls(rec, 'findOwnMessage')[0]!.args.slice(0, 2)).toEqual([{ user: 'U0LOST' }, 'page_digest']);
  const edits = calls(rec, 'updateMessage');
  expect(edits).toHaveLength(1);
  const done = (await findDigestItem(ctx.knex, item.id))!;
  expect(edits[0]!.args.slice(0, 2)).toEqual([done.channel, done.ts]);
  // Delivered when it was first posted (from its attempt), and counted once as a page.
  expect(done.deliveredAt).toEqual(marked.postAttemptedAt);
  expect(await ctx.knex('pages').where({ user: 'U0LOST' })).toHaveLength(1);
});

it('counts the window from the first attempt: a page after it is a new DM, not an edit of the one found', async () => {
  const { rec, clock, ctx } = setup();
  const first = await pageItem(ctx, 'U0LATER');
  loseNextDm(ctx, lost());
  await expect(deliverDigest(ctx, 'page', 'U0LATER', first.id)).rejects.toThrow('socket hang up');
  clock.set(new Date(clock.now().getTime() + DIGEST_WINDOW_MS + 5_000));
  const second = await pageItem(ctx, 'U0LATER');
  await deliverDigest(ctx, 'page', 'U0LATER', second.id);
  const dms = calls(rec, 'sendDirect');
  expect(dms).toHaveLength(2);
  const [a, b] = [(await findDigestItem(ctx.knex, first.id))!, (await findDigestItem(ctx.knex, second.id))!];
  expect(a.ts).not.toBe(b.ts);
  // The found message was brought up to date with the first page only; the second came as a message of its own.
  expect(calls(rec, 'updateMessage')).toHaveLength(1);
  expect(calls(rec, 'updateMessage')[0]!.args[1]).toBe(a.ts);
  expect((dms[1]!.args[3] as { key: string }).key).toBe(digestMarker('page', [b]).key);
});

it('adds a page to the message found while that is within its window, in place', async () => {
  const { rec, ctx } = setup();
  const first = await pageItem(ctx, 'U0SOON');
  loseNextDm(ctx, lost());
  await expect(deliverDigest(ctx, 'page', 'U0SOON', first.id)).rejects.toThrow('socket hang up');
  const second = await pageItem(ctx, 'U0SOON');
  await deliverDigest(ctx, 'page', 'U0SOON', second.id);
  expect(calls(rec, 'sendDirect')).toHaveLength(1);
  const [a, b] = [(await findDigestItem(ctx.knex, first.id))!, (await findDigestItem(ctx.knex, second.id))!];
  expect(b.ts).toBe(a.ts);
  expect(calls(rec, 'updateMessage').length).toBeGreaterThanOrEqual(1);
});

it("does not take an older database's message whose item had the same id but another request time", async () => {
  const { rec, ctx } = setup();
  const item = await pageItem(ctx, 'U0RESET');
  // A DM of an earlier database: the same item id, asked for a day before.
  const older = { ...item, requestedAt: new Date(item.requestedAt.getTime() - 86_400_000) };
  await ctx.chat.sendDirect('U0RESET', 'an older page', [], digestMarker('page', [older]));
  await ctx.knex('chat_digest_items').where({ id: item.id }).update({ post_attempted_at: ctx.clock.now() });
  await deliverDigest(ctx, 'page', 'U0RESET', item.id);
  expect(calls(rec, 'findOwnMessage')).toHaveLength(1);
  expect(calls(rec, 'sendDirect')).toHaveLength(2);
  expect(calls(rec, 'updateMessage')).toHaveLength(0);
  expect((await findDigestItem(ctx.knex, item.id))!.ts).not.toBeNull();
});

it('a post refused before it reached Slack takes its mark back: the next delivery posts without looking', async () => {
  const { rec, ctx } = setup();
  const item = await pageItem(ctx, 'U0REFUSED');
  const send = ctx.chat.sendDirect.bind(ctx.chat);
  ctx.chat.sendDirect = async () => {
    ctx.chat.sendDirect = send;
    throw new RateLimitedError('slack', 'rate limited', { retryAfterMs: 1_000 });
  };
  await expect(deliverDigest(ctx, 'page', 'U0REFUSED', item.id)).rejects.toThrow('rate limited');
  expect((await findDigestItem(ctx.knex, item.id))!.postAttemptedAt).toBeNull();
  await deliverDigest(ctx, 'page', 'U0REFUSED', item.id);
  expect(calls(rec, 'findOwnMessage')).toHaveLength(0);
  expect(calls(rec, 'sendDirect')).toHaveLength(1);
});

it('posts anyway, logged, when the look fails (history refused): a second copy rather than a page held back', async () => {
  const { rec, ctx } = setup();
  const item = await pageItem(ctx, 'U0NOLOOK');
  loseNextDm(ctx, lost());
  await expect(deliverDigest(ctx, 'page', 'U0NOLOOK', item.id)).rejects.toThrow('socket hang up');
  ctx.chat.findOwnMessage = async () => {
    throw new ExternalServiceError('slack', 'missing_scope', { retryable: false });
  };
  await deliverDigest(ctx, 'page', 'U0NOLOOK', item.id);
  expect(calls(rec, 'sendDirect')).toHaveLength(2);
  expect((await findDigestItem(ctx.knex, item.id))!.ts).not.toBeNull();
});

it('posts anew when the message found can no longer be edited: later pages to the person are not held back', async () => {
  const { rec, ctx } = setup();
  const item = await pageItem(ctx, 'U0NOEDIT');
  loseNextDm(ctx, lost());
  await expect(deliverDigest(ctx, 'page', 'U0NOEDIT', item.id)).rejects.toThrow('socket hang up');
  // Slack words it as an error a retry could pass (cant_update_message is not a permanent code): still not a wait.
  const update = ctx.chat.updateMessage.bind(ctx.chat);
  ctx.chat.updateMessage = async () => {
    throw new ExternalServiceError('slack', 'chat.update: cant_update_message', { retryable: true });
  };
  await deliverDigest(ctx, 'page', 'U0NOEDIT', item.id);
  ctx.chat.updateMessage = update;
  expect(calls(rec, 'sendDirect')).toHaveLength(2);
  expect((await findDigestItem(ctx.knex, item.id))!.ts).not.toBeNull();
  // A later page goes out as usual.
  const later = await pageItem(ctx, 'U0NOEDIT');
  await deliverDigest(ctx, 'page', 'U0NOEDIT', later.id);
  expect((await findDigestItem(ctx.knex, later.id))!.ts).not.toBeNull();
});

it('finds a page added by an edit whose answer was lost, after the window: no second DM lists it', async () => {
  const { rec, clock, ctx } = setup();
  const first = await pageItem(ctx, 'U0EDITLOST');
  await deliverDigest(ctx, 'page', 'U0EDITLOST', first.id);
  const second = await pageItem(ctx, 'U0EDITLOST');
  // The edit adding the second page reaches Slack; its answer is lost.
  const update = ctx.chat.updateMessage.bind(ctx.chat);
  ctx.chat.updateMessage = async (...args) => {
    ctx.chat.updateMessage = update;
    await update(...args);
    throw lost();
  };
  await expect(deliverDigest(ctx, 'page', 'U0EDITLOST', second.id)).rejects.toThrow('socket hang up');
  clock.set(new Date(clock.now().getTime() + DIGEST_WINDOW_MS + 5_000));
  await deliverDigest(ctx, 'page', 'U0EDITLOST', second.id);
  expect(calls(rec, 'sendDirect')).toHaveLength(1);
  const [a, b] = [(await findDigestItem(ctx.knex, first.id))!, (await findDigestItem(ctx.knex, second.id))!];
  expect(b.ts).toBe(a.ts);
  // Brought up to date showing both pages, and its marker names both.
  const edits = calls(rec, 'updateMessage');
  const lastEdit = edits.at(-1)!;
  expect(lastEdit.args[1]).toBe(a.ts);
  expect((lastEdit.args[4] as { key: string }).key).toBe(digestMarker('page', [a, b]).key);
  expect(await ctx.knex('pages').where({ user: 'U0EDITLOST' })).toHaveLength(2);
});

it("a refused post leaves another attempt's mark: the item is still looked for next time", async () => {
  const { rec, ctx } = setup();
  const item = await pageItem(ctx, 'U0OTHER');
  const other = new Date(ctx.clock.now().getTime() - 1_000);
  await ctx.knex('chat_digest_items').where({ id: item.id }).update({ post_attempted_at: other });
  const send = ctx.chat.sendDirect.bind(ctx.chat);
  ctx.chat.sendDirect = async () => {
    ctx.chat.sendDirect = send;
    throw new RateLimitedError('slack', 'rate limited', { retryAfterMs: 1_000 });
  };
  await expect(deliverDigest(ctx, 'page', 'U0OTHER', item.id)).rejects.toThrow('rate limited');
  expect((await findDigestItem(ctx.knex, item.id))!.postAttemptedAt).toEqual(other);
  await deliverDigest(ctx, 'page', 'U0OTHER', item.id);
  expect(calls(rec, 'findOwnMessage')).toHaveLength(2);
});

it("keeps another attempt's mark when a stale copy of the item is posted and refused: the next delivery still looks", async () => {
  const { rec, clock, ctx } = setup();
  const item = await pageItem(ctx, 'U0STALE');
  // Read by another process before this one marked it.
  const stale = (await findDigestItem(ctx.knex, item.id))!;
  loseNextDm(ctx, lost());
  await expect(deliverDigest(ctx, 'page', 'U0STALE', item.id)).rejects.toThrow('socket hang up');
  const mark = (await findDigestItem(ctx.knex, item.id))!.postAttemptedAt;
  clock.set(new Date(clock.now().getTime() + 250));
  const send = ctx.chat.sendDirect.bind(ctx.chat);
  ctx.chat.sendDirect = async () => {
    ctx.chat.sendDirect = send;
    throw new RateLimitedError('slack', 'rate limited', { retryAfterMs: 1_000 });
  };
  await expect(postDigest(ctx, 'page', 'U0STALE', [stale], 'a page', [])).rejects.toThrow('rate limited');
  expect((await findDigestItem(ctx.knex, item.id))!.postAttemptedAt).toEqual(mark);
  await deliverDigest(ctx, 'page', 'U0STALE', item.id);
  expect(calls(rec, 'sendDirect')).toHaveLength(1);
});
