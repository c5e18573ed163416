// Edits of one coalesced message by two worker processes over one database. presenters/slack/chat-digest.ts is loaded
// twice (vi.resetModules), so each "process" has its own turns, as two processes do: nothing in memory orders their
// edits. A refresh rendered before an item was recorded reaches Slack after the edit that added the item; the message
// must still end showing every item recorded (the edits' sequence, chat_digest_edits).
import { expect, it, vi } from 'vitest';
import type { AppContext } from '../../../src/context.js';
import { findDigestItem, requestDigestItem } from '../../../src/incidents/digest-repository.js';
import { Recorder, handlerContext, insertIncident, useHandlerDatabase } from '../../helpers/handler-context.js';

const pg = useHandlerDatabase();

type ChatDigest = typeof import('../../../presenters/slack/chat-digest.js');

/** The module as a separate process would have it: its own turns and waiting deliveries. */
async function processOf(): Promise<ChatDigest> {
  vi.resetModules();
  return import('../../../presenters/slack/chat-digest.js');
}

async function pointer(ctx: AppContext, target: string, name: string): Promise<{ id: number; publicId: string }> {
  const incident = await insertIncident(ctx, { channelId: `C0${name}` });
  const item = await requestDigestItem(ctx.knex, {
    kind: 'pointer',
    target,
    incidentId: incident.id,
    at: ctx.clock.now(),
  });
  return { id: item.id, publicId: incident.publicId };
}

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

function editsOf(rec: Recorder, ts: string): string[] {
  return rec.chat.filter((c) => c.method === 'updateMessage' && c.args[1] === ts).map((c) => JSON.stringify(c.args));
}

it("shows an item added by one process's edit when another process's older edit of the message lands after it", async () => {
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

  // Process A refreshes the message (an answer, a headline): it reads and renders the one line there is now, and its
  // edit is held on its way to Slack.
  const slow = holdEdits(ctxA);
  const refresh = a.refreshDigestMessage(ctxA, 'pointer', at.channel!, at.ts!);
  await vi.waitFor(() => expect(slow.held()).toBe(1));

  // Meanwhile process B adds a second incident's line to the same message; its edit reaches Slack and is recorded.
  const second = await pointer(ctxB, target, 'ORDB');
  await b.deliverDigest(ctxB, 'pointer', target, second.id);
  expect((await findDigestItem(ctxB.knex, second.id))?.ts).toBe(at.ts);
  expect(editsOf(rec, at.ts!).at(-1)).toContain(second.publicId);

  // A's edit, rendered before the second line was recorded, lands last: A finds B's edit numbered after its own and
  // shows the message again, as recorded.
  slow.release();
  await refresh;
  const edits = editsOf(rec, at.ts!);
  expect(edits).toHaveLength(3); // B's, A's stale one, A's again
  expect(edits[1]).not.toContain(second.publicId);
  expect(edits[2]).toContain(first.publicId);
  expect(edits[2]).toContain(second.publicId);
});

it("shows an item when another process's delivery, rendered before it was recorded, lands after the edit that added it", async () => {
  const a = await processOf();
  const b = await processOf();
  const rec = new Recorder();
  const ctxA = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const ctxB = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const target = 'C0ALERTSDELIV';
  const first = await pointer(ctxA, target, 'DELA');
  await a.deliverDigest(ctxA, 'pointer', target, first.id);
  const at = (await findDigestItem(ctxA.knex, first.id))!;

  // Process B adds a line to the message; its edit (the first line and B's) is held on its way to Slack.
  const slow = holdEdits(ctxB);
  const fromB = await pointer(ctxB, target, 'DELB');
  const running = b.deliverDigest(ctxB, 'pointer', target, fromB.id);
  await vi.waitFor(() => expect(slow.held()).toBe(1));
  // Process A adds another: B's line is not recorded yet, so A's edit shows the first line and A's; it lands first.
  const fromA = await pointer(ctxA, target, 'DELC');
  await a.deliverDigest(ctxA, 'pointer', target, fromA.id);
  expect((await findDigestItem(ctxA.knex, fromA.id))?.ts).toBe(at.ts);

  // B's edit lands last, without A's line; B records its own, finds A's edit numbered after its own, shows it again.
  slow.release();
  await running;
  expect((await findDigestItem(ctxB.knex, fromB.id))?.ts).toBe(at.ts);
  const edits = editsOf(rec, at.ts!);
  expect(edits).toHaveLength(3); // A's, B's stale one, B's again
  expect(edits[1]).not.toContain(fromA.publicId);
  for (const p of [first, fromA, fromB]) expect(edits[2]).toContain(p.publicId);
});

it('edits once when no other process edited the message meanwhile', async () => {
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
  const edits = editsOf(rec, at.ts!);
  expect(edits).toHaveLength(2);
  expect(edits.at(-1)).toContain(second.publicId);
});
