// Coalescing under a burst (presenters/slack/chat-digest.ts), on PGlite with a chat port held mid-call: requests for a
// target whose delivery waits for its turn join that delivery (one read of the target's state and one message for all
// of them, not a read per request), a request made while a delivery runs is still shown, and refreshes of a message
// join a waiting refresh before reading anything.
import { expect, it, vi } from 'vitest';
import type { Knex } from 'knex';
import { deliverDigest, refreshDigestMessage } from '../../../presenters/slack/chat-digest.js';
import { findDigestItem, requestDigestItem } from '../../../src/incidents/digest-repository.js';
import type { AppContext } from '../../../src/context.js';
import {
  Recorder,
  handlerContext,
  insertIncident,
  insertPointer,
  useHandlerDatabase,
} from '../../helpers/handler-context.js';

const pg = useHandlerDatabase();

/** The chat port's posts and edits wait for `release()` while held; `calls` counts the ones that began. */
function holdChat(ctx: AppContext): { calls: () => number; hold: () => void; release: () => void } {
  let gate: Promise<void> | undefined;
  let open = () => {};
  let calls = 0;
  for (const method of ['postMessage', 'updateMessage'] as const) {
    const real = ctx.chat[method].bind(ctx.chat) as (...a: unknown[]) => Promise<unknown>;
    (ctx.chat as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      calls++;
      if (gate) await gate;
      return real(...args);
    };
  }
  return {
    calls: () => calls,
    hold: () => {
      gate = new Promise((r) => (open = r));
    },
    release: () => {
      gate = undefined;
      open();
    },
  };
}

/**
 * Counts the statements that read chat_digest_items from now on: a target's state (digestState) and a message's items
 * (itemsOfMessage, or with their incidents: itemsOfMessageWithIncidents), the latter also once answered.
 */
function countReads(knex: Knex): {
  targetState: () => number;
  messageItems: () => number;
  messageItemsAnswered: () => number;
  stop: () => void;
} {
  const counts = { targetState: 0, messageItems: 0, messageItemsAnswered: 0 };
  const kindOf = (sql: string) => {
    // The items read with their incidents (itemsOfMessageWithIncidents), in the refresh's turn.
    if (/^with m as \(select \* from chat_digest_items where kind = (\?|\$\d+) and channel = /i.test(sql))
      return 'messageItems';
    if (!/^select .* from "chat_digest_items"/i.test(sql)) return undefined;
    if (/"failed" is null/.test(sql)) return 'targetState';
    if (/"kind" = (\?|\$\d+) and "channel" = (\?|\$\d+) and "ts" = (\?|\$\d+)/.test(sql)) return 'messageItems';
    return undefined;
  };
  const onQuery = (q: { sql: string }) => {
    const kind = kindOf(q.sql);
    if (kind) counts[kind]++;
  };
  const onResponse = (_res: unknown, q: { sql: string }) => {
    if (kindOf(q.sql) === 'messageItems') counts.messageItemsAnswered++;
  };
  knex.on('query', onQuery);
  knex.on('query-response', onResponse);
  return {
    targetState: () => counts.targetState,
    messageItems: () => counts.messageItems,
    messageItemsAnswered: () => counts.messageItemsAnswered,
    stop: () => {
      knex.off('query', onQuery);
      knex.off('query-response', onResponse);
    },
  };
}

const pointer = (ctx: AppContext, target: string, name: string) =>
  insertPointer(ctx, target, name, { waitingForChannel: true });

it('joins requests made while a delivery to the target waits: one read of its state, one message listing them all', async () => {
  const rec = new Recorder();
  const ctx = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const chat = holdChat(ctx);
  const target = 'C0ALERTSJOIN';
  const first = await pointer(ctx, target, 'JOINA');
  chat.hold();
  const running = deliverDigest(ctx, 'pointer', target, first.id);
  await vi.waitFor(() => expect(chat.calls()).toBe(1)); // the first delivery is posting its message
  const reads = countReads(ctx.knex);
  const burst = [];
  for (let i = 0; i < 8; i++) burst.push(await pointer(ctx, target, `JOINB${i}`));
  const joined = burst.map((p) => deliverDigest(ctx, 'pointer', target, p.id));
  chat.release();
  await Promise.all([running, ...joined]);
  reads.stop();

  // The waiting delivery read the target's state once and showed all eight in one edit of the first message.
  expect(reads.targetState()).toBe(1);
  const calls = rec.chat.filter((c) => c.method === 'postMessage' || c.method === 'updateMessage');
  expect(calls.map((c) => c.method)).toEqual(['postMessage', 'updateMessage']);
  const edited = JSON.stringify(calls[1]!.args);
  for (const p of [first, ...burst]) expect(edited).toContain(p.publicId);
  for (const p of [first, ...burst]) expect((await findDigestItem(ctx.knex, p.id))?.ts).toBeTruthy();
});

it('shows a request made while the delivery runs, whether or not that delivery took its item', async () => {
  const rec = new Recorder();
  const ctx = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const chat = holdChat(ctx);
  const target = 'C0ALERTSRUN';
  const first = await pointer(ctx, target, 'RUNA');
  chat.hold();
  const running = deliverDigest(ctx, 'pointer', target, first.id);
  await vi.waitFor(() => expect(chat.calls()).toBe(1));
  // Written after the running delivery read the target's state: only a later delivery can show it.
  const late = await pointer(ctx, target, 'RUNB');
  const lateDone = deliverDigest(ctx, 'pointer', target, late.id);
  chat.release();
  await Promise.all([running, lateDone]);
  expect((await findDigestItem(ctx.knex, late.id))?.ts).toBeTruthy();
  const edits = rec.chat.filter((c) => c.method === 'updateMessage');
  expect(edits).toHaveLength(1);
  expect(JSON.stringify(edits[0]!.args)).toContain(late.publicId);

  // Written before a delivery read the state but requested while it runs: that delivery shows it; the request's own
  // delivery finds it shown and sends nothing.
  const taken = await pointer(ctx, target, 'RUNC');
  chat.hold();
  const third = await pointer(ctx, target, 'RUND');
  const running2 = deliverDigest(ctx, 'pointer', target, third.id);
  await vi.waitFor(() => expect(chat.calls()).toBe(3));
  const takenDone = deliverDigest(ctx, 'pointer', target, taken.id);
  chat.release();
  await Promise.all([running2, takenDone]);
  expect((await findDigestItem(ctx.knex, taken.id))?.ts).toBeTruthy();
  expect(rec.chat.filter((c) => c.method === 'updateMessage')).toHaveLength(2);
});

it('joins refreshes of a message while one waits, before reading its items', async () => {
  const rec = new Recorder();
  const ctx = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const chat = holdChat(ctx);
  const target = 'C0ALERTSREFRESH';
  const p = await pointer(ctx, target, 'REFA');
  await deliverDigest(ctx, 'pointer', target, p.id);
  const at = (await findDigestItem(ctx.knex, p.id))!;
  chat.hold();
  const running = refreshDigestMessage(ctx, 'pointer', at.channel!, at.ts!);
  await vi.waitFor(() => expect(chat.calls()).toBe(2)); // the first refresh is editing the message
  const reads = countReads(ctx.knex);
  const waiting = refreshDigestMessage(ctx, 'pointer', at.channel!, at.ts!);
  // The second read the message's items (to find its target) and now waits for its turn.
  await vi.waitFor(() => expect(reads.messageItemsAnswered()).toBe(1));
  await new Promise((r) => setImmediate(r));
  const joined = Array.from({ length: 6 }, () => refreshDigestMessage(ctx, 'pointer', at.channel!, at.ts!));
  chat.release();
  await Promise.all([running, waiting, ...joined]);
  reads.stop();
  // The joined ones read nothing: the waiting refresh read the items once more when it ran, and edited once.
  expect(reads.messageItems()).toBe(2);
  expect(rec.chat.filter((c) => c.method === 'updateMessage')).toHaveLength(2);
});

it("waits for the channel's pace before reading: what arrives while the channel is busy goes in its next message", async () => {
  const rec = new Recorder();
  const ctx = handlerContext(rec, { db: pg.db, queue: pg.queue });
  let free = () => {};
  const busy = new Promise<void>((r) => (free = r));
  const turns: string[] = [];
  // The channel's last message went a moment ago: its next may go when `free()` is called.
  ctx.chat.channelTurn = async (channel) => {
    turns.push(channel);
    await busy;
  };
  const target = 'C0ALERTSPACE';
  const first = await pointer(ctx, target, 'PACEA');
  const reads = countReads(ctx.knex);
  const running = deliverDigest(ctx, 'pointer', target, first.id);
  await vi.waitFor(() => expect(turns).toEqual([target]));
  // Written while the delivery waits for the channel, before it read anything: its one message carries them too.
  const later = [];
  for (let i = 0; i < 3; i++) later.push(await pointer(ctx, target, `PACEB${i}`));
  const joined = later.map((p) => deliverDigest(ctx, 'pointer', target, p.id));
  expect(reads.targetState()).toBe(0);
  free();
  await Promise.all([running, ...joined]);
  reads.stop();
  expect(reads.targetState()).toBe(1);
  const calls = rec.chat.filter((c) => c.method === 'postMessage' || c.method === 'updateMessage');
  expect(calls.map((c) => c.method)).toEqual(['postMessage']);
  for (const p of [first, ...later]) expect(JSON.stringify(calls[0]!.args)).toContain(p.publicId);
  // Refreshes wait for the pace too.
  const at = (await findDigestItem(ctx.knex, first.id))!;
  await refreshDigestMessage(ctx, 'pointer', at.channel!, at.ts!);
  expect(turns).toEqual([target, at.channel]);
});

it('a page DM rendered before its incident had a channel, and recorded after the channel was, is shown again naming it', async () => {
  const rec = new Recorder();
  const ctx = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const incident = await insertIncident(ctx, { channelId: 'C0LATEDM' });
  await ctx.knex('incidents').where({ id: incident.id }).update({ channel_id: null });
  const item = await requestDigestItem(ctx.knex, {
    kind: 'page',
    target: 'U0LATEDM',
    incidentId: incident.id,
    at: ctx.clock.now(),
  });
  // The channel is recorded while the DM, rendered without it, is on its way to Slack.
  const send = ctx.chat.sendDirect.bind(ctx.chat);
  ctx.chat.sendDirect = async (...args) => {
    await ctx.knex('incidents').where({ id: incident.id }).update({ channel_id: 'C0LATEDM' });
    return send(...args);
  };
  await deliverDigest(ctx, 'page', 'U0LATEDM', item.id);
  const sent = rec.chat.filter((c) => c.method === 'sendDirect');
  expect(sent).toHaveLength(1);
  expect(JSON.stringify(sent[0]!.args)).not.toContain('<#C0LATEDM>');
  const at = (await findDigestItem(ctx.knex, item.id))!;
  const edits = rec.chat.filter((c) => c.method === 'updateMessage');
  expect(edits).toHaveLength(1);
  expect(edits[0]!.args.slice(0, 2)).toEqual([at.channel, at.ts]);
  expect(JSON.stringify(edits[0]!.args)).toContain('<#C0LATEDM>');

  // Delivered after the channel was recorded, a DM names it at once: no second edit.
  const second = await requestDigestItem(ctx.knex, {
    kind: 'page',
    target: 'U0LATEDM2',
    incidentId: incident.id,
    at: ctx.clock.now(),
  });
  await deliverDigest(ctx, 'page', 'U0LATEDM2', second.id);
  expect(JSON.stringify(rec.chat.filter((c) => c.method === 'sendDirect')[1]!.args)).toContain('<#C0LATEDM>');
  expect(rec.chat.filter((c) => c.method === 'updateMessage')).toHaveLength(1);
});

it("adds new lines to the newest message while Slack's edit budget is spent, and a refresh waiting for that budget holds no line back", async () => {
  const rec = new Recorder();
  const ctx = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const target = 'C0ALERTSBUDGET';
  const first = await pointer(ctx, target, 'BUDA');
  await deliverDigest(ctx, 'pointer', target, first.id);
  const at = (await findDigestItem(ctx.knex, first.id))!;
  // chat.update's workspace-wide budget is spent (a storm's other edits) until `free()`: a headline's refresh waits.
  let free = () => {};
  const spent = new Promise<void>((r) => (free = r));
  ctx.chat.editTurn = () => spent;
  const refresh = refreshDigestMessage(ctx, 'pointer', at.channel!, at.ts!, target);
  // Lines paced one by one meanwhile: each joins the newest message by an edit, none waits for the refresh, and the
  // channel does not get a message a line.
  const later = [];
  for (const name of ['BUDB', 'BUDC', 'BUDD']) {
    const p = await pointer(ctx, target, name);
    later.push(p);
    await deliverDigest(ctx, 'pointer', target, p.id);
  }
  const calls = () => rec.chat.filter((c) => c.method === 'postMessage' || c.method === 'updateMessage');
  expect(calls().map((c) => c.method)).toEqual(['postMessage', 'updateMessage', 'updateMessage', 'updateMessage']);
  for (const p of later) expect((await findDigestItem(ctx.knex, p.id))?.ts).toBe(at.ts);
  free();
  await refresh;
  expect(calls()).toHaveLength(5);
  for (const p of [first, ...later]) expect(JSON.stringify(calls()[4]!.args)).toContain(p.publicId);
});

it('posts what waits in a new message when the newest has no room for all of it, rather than edit in a part', async () => {
  const rec = new Recorder();
  const ctx = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const target = 'C0ALERTSROOM';
  // 150 lines in the channel's newest message (a message holds 200), then 80 more waiting at once.
  const shown = [];
  for (let i = 0; i < 150; i++) shown.push(await pointer(ctx, target, `ROOMA${i}`));
  await deliverDigest(ctx, 'pointer', target);
  const waiting = [];
  for (let i = 0; i < 80; i++) waiting.push(await pointer(ctx, target, `ROOMB${i}`));
  await deliverDigest(ctx, 'pointer', target);
  // One message carrying all 80 (one message of the channel's pace), not an edit adding 50 and a post of 30.
  const calls = rec.chat.filter((c) => c.method === 'postMessage' || c.method === 'updateMessage');
  expect(calls.map((c) => c.method)).toEqual(['postMessage', 'postMessage']);
  const tsOf = async (id: number) => (await findDigestItem(ctx.knex, id))?.ts;
  const before = await tsOf(shown[0]!.id);
  const after = await tsOf(waiting[0]!.id);
  expect(before && after && before !== after).toBe(true);
  for (const p of shown) expect(await tsOf(p.id)).toBe(before);
  for (const p of waiting) expect(await tsOf(p.id)).toBe(after);
});

it('lets a delivery of new lines to the target go before a refresh that was waiting for its turn', async () => {
  const rec = new Recorder();
  const ctx = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const chat = holdChat(ctx);
  const target = 'C0ALERTSFIRST';
  const a = await pointer(ctx, target, 'FIRSTA');
  await deliverDigest(ctx, 'pointer', target, a.id);
  const at = (await findDigestItem(ctx.knex, a.id))!;
  // A delivery is on its way to Slack; a refresh of the message (a headline) and then a new line wait behind it.
  const b = await pointer(ctx, target, 'FIRSTB');
  chat.hold();
  const running = deliverDigest(ctx, 'pointer', target, b.id);
  await vi.waitFor(() => expect(chat.calls()).toBe(2));
  const refresh = refreshDigestMessage(ctx, 'pointer', at.channel!, at.ts!, target);
  await new Promise((r) => setTimeout(r, 20));
  const c = await pointer(ctx, target, 'FIRSTC');
  const line = deliverDigest(ctx, 'pointer', target, c.id);
  chat.release();
  await Promise.all([running, refresh, line]);
  // The new line's message went first, the refresh after it (and it shows every line of the message).
  const calls = rec.chat.filter((x) => x.method === 'postMessage' || x.method === 'updateMessage').slice(1);
  expect(calls).toHaveLength(3);
  expect(JSON.stringify(calls[1]!.args)).toContain(c.publicId);
  expect(calls[2]!.method).toBe('updateMessage');
  for (const p of [a, b, c]) expect(JSON.stringify(calls[2]!.args)).toContain(p.publicId);
});
