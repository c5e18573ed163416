// Opening an incident in chat records its topic, invites and pointer in one statement once the pointer is shown
// (presenters/slack/jobs/open-incident-channel.ts), on PGlite: when the pointer fails after the invites were made, the
// invites are still recorded, so the retry posts the pointer without inviting again.
import { expect, it } from 'vitest';
import { openIncidentChannel } from '../../../presenters/slack/jobs/open-incident-channel.js';
import { ExternalServiceError } from '../../../src/errors.js';
import { Recorder, handlerContext, insertIncident, useHandlerDatabase } from '../../helpers/handler-context.js';

const pg = useHandlerDatabase();

it('records the invites when the pointer fails after them, and the retry invites nobody again', async () => {
  const rec = new Recorder();
  const ctx = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const incident = await insertIncident(ctx, { channelId: 'C0STEPS' });
  await ctx.knex('incidents').where({ id: incident.id }).update({ briefing_ts: '1764064900.000001' });
  const post = ctx.chat.postMessage.bind(ctx.chat);
  let alertsDown = true;
  ctx.chat.postMessage = async (channel, ...rest) => {
    if (channel === 'C0ALERTS' && alertsDown) throw new ExternalServiceError('slack', 'chat.postMessage: 503');
    return post(channel, ...rest);
  };
  const progress = async () =>
    ((await ctx.knex('incidents').where({ id: incident.id }).first()) as { chat_progress: Record<string, string> })
      .chat_progress;

  await expect(openIncidentChannel(ctx, incident.id)).rejects.toThrow(/503/);
  expect(Object.keys(await progress()).sort()).toEqual(['invited', 'topic']);
  expect(
    await ctx.knex('incident_events').where({ incident_id: incident.id, type: 'responders.invited' }),
  ).toHaveLength(1);
  const invites = () => rec.chat.filter((c) => c.method === 'invite').length;
  const topics = () => rec.chat.filter((c) => c.method === 'setTopic').length;
  expect([invites(), topics()]).toEqual([1, 1]);

  alertsDown = false;
  await openIncidentChannel(ctx, incident.id);
  expect(Object.keys(await progress()).sort()).toEqual(['invited', 'pointer', 'topic']);
  expect([invites(), topics()]).toEqual([1, 1]);
  const pointers = rec.chat.filter((c) => c.method === 'postMessage' && c.args[0] === 'C0ALERTS');
  expect(pointers).toHaveLength(1);
  expect(JSON.stringify(pointers[0]!.args)).toContain('<#C0STEPS>');
});
