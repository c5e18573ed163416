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

it('a pointer another delivery showed since the job read the incident is edited to name the new channel', async () => {
  const rec = new Recorder();
  const ctx = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const incident = await insertIncident(ctx, { channelId: 'C0RACE' });
  await ctx.knex('incidents').where({ id: incident.id }).update({ channel_id: null });
  // Shown while the incident waited for its channel, by a delivery whose `pointer.posted` entry the job's read of the
  // incident did not see yet (here: none at all).
  await ctx.knex('chat_digest_items').insert({
    kind: 'pointer',
    target: 'C0ALERTS',
    incident_id: incident.id,
    round: 0,
    step: 0,
    steps: 1,
    requested_at: new Date(),
    channel: 'C0ALERTS',
    ts: '1764064900.000777',
    delivered_at: new Date(),
  });
  await openIncidentChannel(ctx, incident.id);
  const channel = (await ctx.knex('incidents').where({ id: incident.id }).first()) as { channel_id: string };
  expect(channel.channel_id).toBeTruthy();
  const edits = rec.chat.filter((c) => c.method === 'updateMessage' && c.args[0] === 'C0ALERTS');
  expect(edits).toHaveLength(1);
  expect(edits[0]!.args[1]).toBe('1764064900.000777');
  expect(JSON.stringify(edits[0]!.args)).toContain(`<#${channel.channel_id}>`);
  expect(rec.chat.filter((c) => c.method === 'postMessage' && c.args[0] === 'C0ALERTS')).toHaveLength(0);
});
