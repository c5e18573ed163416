// An answer (acknowledged, resolved) shown in coalesced messages (presenters/slack/jobs/update-answered-pages.ts), on
// PGlite with the recording chat: one of the incident's items delivered while the job refreshes the messages it read
// is in a message listing other incidents; the job must not take that message for a single-incident one and overwrite
// it with its one line. The alerts channel's pointer message and a person's page DM, each.
import { expect, it } from 'vitest';
import { deliverDigest } from '../../../presenters/slack/chat-digest.js';
import { updateAnsweredPagesJob } from '../../../presenters/slack/jobs/update-answered-pages.js';
import { findDigestItem, requestDigestItem } from '../../../src/incidents/digest-repository.js';
import type { AppContext } from '../../../src/context.js';
import { Recorder, handlerContext, insertIncident, useHandlerDatabase } from '../../helpers/handler-context.js';

const pg = useHandlerDatabase();

let n = 0;
const incident = (ctx: AppContext) => insertIncident(ctx, { channelId: `C0ANS${++n}` });
const item = (ctx: AppContext, kind: 'page' | 'pointer', target: string, incidentId: number) =>
  requestDigestItem(ctx.knex, { kind, target, incidentId, at: ctx.clock.now() });

/** What the message `ts` shows now in the recording chat: its last edit. */
function shownIn(rec: Recorder, ts: string): string {
  const edits = rec.chat.filter((c) => c.method === 'updateMessage' && c.args[1] === ts);
  expect(edits.length).toBeGreaterThan(0);
  return edits.at(-1)!.args[2] as string;
}

const acknowledge = (ctx: AppContext, incidentId: number) =>
  updateAnsweredPagesJob(ctx).process({ incidentId, status: 'acknowledged', by: 'U0ACK' } as never, {} as never);

it("keeps the alerts channel's message listing every incident when the answered one's line joins it meanwhile", async () => {
  const rec = new Recorder();
  const ctx = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const others = [await incident(ctx), await incident(ctx), await incident(ctx)];
  for (const o of others) await item(ctx, 'pointer', 'C0ALERTS', o.id);
  await deliverDigest(ctx, 'pointer', 'C0ALERTS');
  const x = await incident(ctx);
  const page = await item(ctx, 'page', 'U0X', x.id);
  await deliverDigest(ctx, 'page', 'U0X', page.id);
  const line = await item(ctx, 'pointer', 'C0ALERTS', x.id);
  // While the job refreshes X's DM (waiting for its channel's turn), X's line is delivered into the alerts message.
  let once = true;
  ctx.chat.channelTurn = async (channel: string) => {
    if (once && channel.startsWith('D0')) {
      once = false;
      await deliverDigest(ctx, 'pointer', 'C0ALERTS', line.id);
    }
  };
  await acknowledge(ctx, x.id);
  const at = (await findDigestItem(ctx.knex, line.id))!;
  const shown = shownIn(rec, at.ts!);
  for (const o of [...others, x]) expect(shown).toContain(o.publicId);
});

it("keeps a person's DM listing every page when the answered incident's page joins it meanwhile", async () => {
  const rec = new Recorder();
  const ctx = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const o = await incident(ctx);
  const po = await item(ctx, 'page', 'U0Y', o.id);
  await deliverDigest(ctx, 'page', 'U0Y', po.id);
  const x = await incident(ctx);
  const px = await item(ctx, 'page', 'U0X', x.id);
  await deliverDigest(ctx, 'page', 'U0X', px.id);
  const py = await item(ctx, 'page', 'U0Y', x.id);
  let once = true;
  ctx.chat.channelTurn = async (channel: string) => {
    if (once && channel === 'D0U0X') {
      once = false;
      await deliverDigest(ctx, 'page', 'U0Y', py.id);
    }
  };
  await acknowledge(ctx, x.id);
  const dm = (await findDigestItem(ctx.knex, po.id))!;
  expect((await findDigestItem(ctx.knex, py.id))!.ts).toBe(dm.ts);
  const shown = shownIn(rec, dm.ts!);
  expect(shown).toContain(o.publicId);
  expect(shown).toContain(x.publicId);
});

it('sends no page for an incident answered while its page waited, and shows its waiting line answered', async () => {
  const rec = new Recorder();
  const ctx = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const x = await incident(ctx);
  const page = await item(ctx, 'page', 'U0LATE', x.id);
  const line = await item(ctx, 'pointer', 'C0ALERTSLATE', x.id);
  // Acknowledged before Slack took either (the channel's pace, an outage): the answer job runs first.
  await ctx.knex('incidents').where({ id: x.id }).update({ status: 'acknowledged' });
  await acknowledge(ctx, x.id);
  await deliverDigest(ctx, 'page', 'U0LATE', page.id);
  await deliverDigest(ctx, 'pointer', 'C0ALERTSLATE', line.id);
  expect(rec.chat.filter((c) => c.method === 'sendDirect')).toHaveLength(0);
  const dropped = (await findDigestItem(ctx.knex, page.id))!;
  expect(dropped.ts).toBeNull();
  expect(dropped.failed).toMatch(/answered before its page went out/);
  expect(await ctx.knex('pages').where({ incident_id: x.id })).toHaveLength(0);
  const posts = rec.chat.filter((c) => c.method === 'postMessage' && c.args[0] === 'C0ALERTSLATE');
  expect(posts).toHaveLength(1);
  expect(JSON.stringify(posts[0]!.args)).toContain('Acknowledged by <@U0ACK>');
});
