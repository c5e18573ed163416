// Edits of one coalesced message by two worker processes over one database. presenters/slack/chat-digest.ts is loaded
// twice (vi.resetModules), so each "process" has its own turns, as two processes do: nothing in memory orders their
// edits. Each edit holds the message's lease (chat_digest_leases) from its read to its record, so an edit rendered
// before another process recorded an item never lands after the edit that added it: every recorded item stays shown.
import type { Knex } from 'knex';
import { expect, it, vi } from 'vitest';
import type { AppContext } from '../../../src/context.js';
import { ExternalServiceError } from '../../../src/errors.js';
import { findDigestItem } from '../../../src/incidents/digest-repository.js';
import { Recorder, handlerContext, insertPointer, useHandlerDatabase } from '../../helpers/handler-context.js';

const pg = useHandlerDatabase();

type ChatDigest = typeof import('../../../presenters/slack/chat-digest.js');

/** The module as a separate process would have it: its own turns and waiting deliveries. */
async function processOf(): Promise<ChatDigest> {
  vi.resetModules();
  return import('../../../presenters/slack/chat-digest.js');
}

const pointer = (ctx: AppContext, target: string, name: string) => insertPointer(ctx, target, name);

/** Holds the context's edits on their way to Slack until released; `held()` counts those that began. */
function holdEdits(ctx: AppContext): { held: () => number; release: () => void } {
  let open = () => {};
  const gate = new Promise<void>((r) => (open = r));
  let held = 0;
  const real = ctx.chat.updateMessage.bind(ctx.chat);
  ctx.chat.updateMessage = async (...args) => {
    held++;
    await gate;
    return real(...args);
  };
  return { held: () => held, release: () => open() };
}

/** Counts the attempts to take a message's lease from now on. */
function leaseAttempts(knex: Knex): { count: () => number; stop: () => void } {
  let n = 0;
  const on = (q: { sql: string }) => {
    if (/^insert into chat_digest_leases/i.test(q.sql)) n++;
  };
  knex.on('query', on);
  return { count: () => n, stop: () => knex.off('query', on) };
}

/** What the message `ts` shows in the end: its last edit that reached Slack, else its post. */
function finalText(rec: Recorder, ts: string): string {
  const edits = rec.chat.filter((c) => c.method === 'updateMessage' && c.args[1] === ts);
  if (edits.length) return JSON.stringify(edits.at(-1)!.args);
  return '';
}

/** Every item is shown by the message it is recorded in, as that message ends. */
async function expectEveryItemShown(ctx: AppContext, rec: Recorder, items: Array<{ id: number; publicId: string }>) {
  for (const p of items) {
    const item = await findDigestItem(ctx.knex, p.id);
    expect(item?.ts, `${p.publicId} recorded`).toBeTruthy();
    const posted = rec.chat.findIndex((c) => c.method === 'postMessage' && JSON.stringify(c.args).includes(p.publicId));
    const edited = finalText(rec, item!.ts!);
    // Either the message's last edit lists it, or it was posted in a message never edited since.
    if (edited) expect(edited, `${p.publicId} in the last edit of ${item!.ts}`).toContain(p.publicId);
    else expect(posted, `${p.publicId} posted`).toBeGreaterThanOrEqual(0);
  }
}

it("waits for another process's edit of the message before adding to it, so the older edit cannot hide the new line", async () => {
  const a = await processOf();
  const b = await processOf();
  expect(a.deliverDigest).not.toBe(b.deliverDigest);
  const rec = new Recorder();
  const ctxA = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const ctxB = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const target = 'C0ALERTSORDER';
  const first = await pointer(ctxA, target, 'ORDA');
  await a.deliverDigest(ctxA, 'pointer', target, first.id);
  const at = (await findDigestItem(ctxA.knex, first.id))!;

  // Process A refreshes the message (an answer, a headline): it reads the one line there is now, and its edit is held
  // on its way to Slack.
  const slow = holdEdits(ctxA);
  const refresh = a.refreshDigestMessage(ctxA, 'pointer', at.channel!, at.ts!);
  await vi.waitFor(() => expect(slow.held()).toBe(1));

  // Meanwhile process B delivers a second incident's line to the same target: it waits for A's lease, editing nothing.
  const attempts = leaseAttempts(ctxB.knex);
  const second = await pointer(ctxB, target, 'ORDB');
  const delivering = b.deliverDigest(ctxB, 'pointer', target, second.id);
  await vi.waitFor(() => expect(attempts.count()).toBeGreaterThanOrEqual(2));
  expect(rec.chat.filter((c) => c.method === 'updateMessage')).toHaveLength(0);

  slow.release();
  await Promise.all([refresh, delivering]);
  attempts.stop();
  // A's edit landed first; B's, read after it, shows both lines (or, had B stopped waiting, its own message does).
  await expectEveryItemShown(ctxA, rec, [first, second]);
});

it("does not refresh the message while another process's delivery holds it: the refresh comes back", async () => {
  const a = await processOf();
  const b = await processOf();
  const rec = new Recorder();
  const ctxA = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const ctxB = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const target = 'C0ALERTSDELIV';
  const first = await pointer(ctxA, target, 'DELA');
  await a.deliverDigest(ctxA, 'pointer', target, first.id);
  const at = (await findDigestItem(ctxA.knex, first.id))!;

  // Process B adds a line to the message; its edit is held on its way to Slack, its line not recorded yet.
  const slow = holdEdits(ctxB);
  const fromB = await pointer(ctxB, target, 'DELB');
  const delivering = b.deliverDigest(ctxB, 'pointer', target, fromB.id);
  await vi.waitFor(() => expect(slow.held()).toBe(1));
  // Process A refreshes the message meanwhile: B holds its lease, so A's job is to come back (no attempt spent)
  // instead of reading the message without B's line or keeping A's other deliveries to the target waiting.
  await expect(a.refreshDigestMessage(ctxA, 'pointer', at.channel!, at.ts!)).rejects.toMatchObject({
    name: 'RateLimitedError',
    retryable: true,
  });

  slow.release();
  await delivering;
  // The job's next attempt, B's line recorded by then.
  await a.refreshDigestMessage(ctxA, 'pointer', at.channel!, at.ts!);
  const edits = rec.chat.filter((c) => c.method === 'updateMessage' && c.args[1] === at.ts);
  expect(edits).toHaveLength(2); // B's, then A's refresh read after B recorded its line
  for (const p of [first, fromB]) expect(JSON.stringify(edits[1]!.args)).toContain(p.publicId);
  await expectEveryItemShown(ctxA, rec, [first, fromB]);
});

it('a lease its holder never gave back: a delivery posts a new message, a refresh comes back later; none once it ends', async () => {
  const a = await processOf();
  const rec = new Recorder();
  const ctx = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const target = 'C0ALERTSDEAD';
  const first = await pointer(ctx, target, 'DEADA');
  await a.deliverDigest(ctx, 'pointer', target, first.id);
  const at = (await findDigestItem(ctx.knex, first.id))!;
  // A process killed while editing the message: its lease holds for another 30 s.
  const until = new Date(ctx.clock.now().getTime() + 30_000);
  await ctx
    .knex('chat_digest_leases')
    .insert({ channel: at.channel, ts: at.ts, holder: 'killed', until })
    .onConflict(['channel', 'ts'])
    .merge();

  const second = await pointer(ctx, target, 'DEADB');
  await a.deliverDigest(ctx, 'pointer', target, second.id);
  const secondAt = (await findDigestItem(ctx.knex, second.id))!;
  expect(secondAt.ts).not.toBe(at.ts); // its own message, not an edit of the leased one
  // (The module loaded for this "process" has its own error classes: matched by name.)
  await expect(a.refreshDigestMessage(ctx, 'pointer', at.channel!, at.ts!)).rejects.toMatchObject({
    name: 'RateLimitedError',
    retryable: true,
  });
  expect(rec.chat.filter((c) => c.method === 'updateMessage')).toHaveLength(0);

  // Once the lease has ended, the refresh goes.
  await ctx
    .knex('chat_digest_leases')
    .where({ channel: at.channel, ts: at.ts })
    .update({ until: new Date(ctx.clock.now().getTime() - 1) });
  await a.refreshDigestMessage(ctx, 'pointer', at.channel!, at.ts!);
  expect(rec.chat.filter((c) => c.method === 'updateMessage')).toHaveLength(1);
  await expectEveryItemShown(ctx, rec, [first, second]);
}, 30_000);

it('an edit Slack fails leaves its line waiting and the lease free: the retry shows it', async () => {
  const a = await processOf();
  const rec = new Recorder();
  const ctx = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const target = 'C0ALERTSFAIL';
  const first = await pointer(ctx, target, 'FAILA');
  await a.deliverDigest(ctx, 'pointer', target, first.id);
  const at = (await findDigestItem(ctx.knex, first.id))!;
  const real = ctx.chat.updateMessage.bind(ctx.chat);
  ctx.chat.updateMessage = async () => {
    throw new ExternalServiceError('slack', 'chat.update: internal_error', { retryable: true });
  };
  const second = await pointer(ctx, target, 'FAILB');
  await expect(a.deliverDigest(ctx, 'pointer', target, second.id)).rejects.toBeInstanceOf(ExternalServiceError);
  expect((await findDigestItem(ctx.knex, second.id))?.ts).toBeNull();
  // Given back: no row left.
  expect(await ctx.knex('chat_digest_leases').where({ channel: at.channel, ts: at.ts }).first()).toBeUndefined();

  ctx.chat.updateMessage = real;
  await a.deliverDigest(ctx, 'pointer', target, second.id);
  expect((await findDigestItem(ctx.knex, second.id))?.ts).toBe(at.ts);
  await expectEveryItemShown(ctx, rec, [first, second]);
});

it('an edit whose lease ended and was taken before its items were recorded records nothing: its retry shows them', async () => {
  const a = await processOf();
  const b = await processOf();
  const rec = new Recorder();
  const ctxA = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const ctxB = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const target = 'C0ALERTSLOST';
  const first = await pointer(ctxA, target, 'LOSTA');
  await a.deliverDigest(ctxA, 'pointer', target, first.id);
  const at = (await findDigestItem(ctxA.knex, first.id))!;

  // Process A adds a line: its edit reaches Slack, but its answer is held (a slow Slack, a stalled process), so the
  // line is not recorded yet.
  let answer = () => {};
  const answered = new Promise<void>((r) => (answer = r));
  let edited = 0;
  const real = ctxA.chat.updateMessage.bind(ctxA.chat);
  ctxA.chat.updateMessage = async (...args) => {
    const res = await real(...args);
    edited++;
    await answered;
    return res;
  };
  const fromA = await pointer(ctxA, target, 'LOSTB');
  const delivering = a.deliverDigest(ctxA, 'pointer', target, fromA.id);
  await vi.waitFor(() => expect(edited).toBe(1));
  // Its lease ends meanwhile; process B takes it and refreshes the message from what is recorded: the first line only.
  await ctxB
    .knex('chat_digest_leases')
    .where({ channel: at.channel, ts: at.ts })
    .update({ until: new Date(ctxB.clock.now().getTime() - 1) });
  await b.refreshDigestMessage(ctxB, 'pointer', at.channel!, at.ts!);
  const edits = () => rec.chat.filter((c) => c.method === 'updateMessage' && c.args[1] === at.ts);
  expect(JSON.stringify(edits().at(-1)!.args)).not.toContain(fromA.publicId);

  // A's answer comes: it finds its lease taken before recording its line, records nothing and its job comes back
  // (no attempt spent); the job's next attempt shows the line (its message found by its marker, or a new one).
  answer();
  await expect(delivering).rejects.toMatchObject({ name: 'RateLimitedError', retryable: true });
  expect((await findDigestItem(ctxA.knex, fromA.id))?.ts).toBeNull();
  await a.deliverDigest(ctxA, 'pointer', target, fromA.id);
  await expectEveryItemShown(ctxA, rec, [first, fromA]);
  expect(await ctxA.knex('chat_digest_leases').where({ channel: at.channel, ts: at.ts }).first()).toBeUndefined();
});

it('edits once when no other process edits the message', async () => {
  const a = await processOf();
  const rec = new Recorder();
  const ctx = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const target = 'C0ALERTSONCE';
  const first = await pointer(ctx, target, 'ONCEA');
  await a.deliverDigest(ctx, 'pointer', target, first.id);
  const at = (await findDigestItem(ctx.knex, first.id))!;
  const second = await pointer(ctx, target, 'ONCEB');
  await Promise.all([
    a.deliverDigest(ctx, 'pointer', target, second.id),
    a.refreshDigestMessage(ctx, 'pointer', at.channel!, at.ts!),
  ]);
  const edits = rec.chat.filter((c) => c.method === 'updateMessage' && c.args[1] === at.ts);
  expect(edits).toHaveLength(2);
  expect(JSON.stringify(edits.at(-1)!.args)).toContain(second.publicId);
});
