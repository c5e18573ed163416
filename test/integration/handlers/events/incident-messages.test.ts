// The message listener called without Bolt, on PGlite: a person's message in an incident channel joins its timeline
// once however often Slack retries it; a message in another channel joins nothing.
import { expect, it } from 'vitest';
import { handleChannelMessage } from '../../../../handlers/events/incident-messages.js';
import { listTimeline } from '../../../../src/incidents/timeline-repository.js';
import {
  People,
  Recorder,
  handlerContext,
  insertIncident,
  useHandlerDatabase,
} from '../../../helpers/handler-context.js';
import { messageEvent } from '../../../helpers/slack-payloads.js';

const pg = useHandlerDatabase();

it('records a person’s message in an incident channel on its timeline, once', async () => {
  const ctx = handlerContext(new Recorder(), { db: pg.db });
  const { id } = await insertIncident(ctx, { channelId: 'C0MSG1' });
  const event = messageEvent({
    channel: 'C0MSG1',
    user: People.priya,
    text: 'rolling back now',
    ts: '1764064860.000300',
  });
  await handleChannelMessage(ctx, { event });
  await handleChannelMessage(ctx, { event });
  await handleChannelMessage(ctx, {
    event: messageEvent({ channel: 'C0ELSEWHERE', user: People.priya, text: 'lunch?' }),
  });
  const timeline = await listTimeline(pg.db.knex, id);
  expect(timeline.map((e) => [e.type, e.actor, e.data])).toEqual([
    ['message', People.priya, { text: 'rolling back now', ts: '1764064860.000300' }],
  ]);
});
