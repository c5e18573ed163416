// The message and app_mention listeners called without Bolt, on PGlite: which messages become questions (recorded
// once, one answer job each) and which are left alone (bots, edits, remarks, a message whose mention comes separately).
import { expect, it } from 'vitest';
import { handleAppMention, handleChannelMessage } from '../../../handlers/events/incident-messages.js';
import { listTimeline } from '../../../src/incidents/timeline-repository.js';
import { People, Recorder, handlerContext, insertIncident, useHandlerDatabase } from '../../helpers/handler-context.js';
import { messageEvent } from '../../helpers/slack-payloads.js';

const pg = useHandlerDatabase();
const context = { botUserId: 'U0COPILOT' };

it('records a question once however often it comes, queues one answer, and leaves bots, edits and remarks alone', async () => {
  const ctx = handlerContext(new Recorder(), { db: pg.db, queue: pg.queue });
  const { id } = await insertIncident(ctx, { channelId: 'C0ASK' });
  const question = {
    ...messageEvent({ channel: 'C0ASK', user: People.priya, text: 'what changed?', ts: '1764064900.000100' }),
  };
  await handleChannelMessage(ctx, { event: question, context });
  await handleChannelMessage(ctx, { event: question, context });
  // Not questions for the copilot: a bot's post, an edit, a remark, and the message half of a mention.
  await handleChannelMessage(ctx, { event: { ...question, ts: '1764064900.000200', bot_id: 'B0OTHER' }, context });
  await handleChannelMessage(ctx, {
    event: { ...question, ts: '1764064900.000300', subtype: 'message_changed' },
    context,
  });
  await handleChannelMessage(ctx, {
    event: { ...question, ts: '1764064900.000400', text: 'rolling back now' },
    context,
  });
  const mention = { ...question, ts: '1764064900.000500', text: '<@U0COPILOT> cake please' };
  await handleChannelMessage(ctx, { event: mention, context });
  await handleAppMention(ctx, { event: { ...mention, type: 'app_mention' }, context });
  await handleAppMention(ctx, { event: { ...mention, type: 'app_mention', edited: { ts: '1' } }, context });

  const timeline = await listTimeline(pg.db.knex, id);
  const questions = timeline.filter((e) => e.type === 'conversation.question');
  expect(questions.map((e) => [e.actor, e.data.ts, e.data.intent])).toEqual([
    [People.priya, '1764064900.000100', 'changes'],
    [People.priya, '1764064900.000500', 'help'],
  ]);
  const jobs = (await pg.db.knex('jobs').where({ name: 'answer-question' }).orderBy('id')) as { id: string }[];
  expect(jobs.map((j) => j.id)).toEqual([
    'answer-question-C0ASK-1764064900-000100',
    'answer-question-C0ASK-1764064900-000500',
  ]);
});

it('answers a mention outside incident channels with where it answers, and nothing else there', async () => {
  const ctx = handlerContext(new Recorder(), { db: pg.db, queue: pg.queue });
  const plain = messageEvent({
    channel: 'C0GENERAL',
    user: People.priya,
    text: 'what changed?',
    ts: '1764064901.000100',
  });
  await handleChannelMessage(ctx, { event: plain, context });
  await handleAppMention(ctx, { event: { ...plain, ts: '1764064901.000200', type: 'app_mention' }, context });
  const jobs = (await pg.db.knex('jobs').where({ name: 'post-answer' })) as { id: string; payload: unknown }[];
  expect(jobs.map((j) => j.id)).toEqual(['post-answer-C0GENERAL-1764064901-000200']);
  const payload = (typeof jobs[0]!.payload === 'string' ? JSON.parse(jobs[0]!.payload) : jobs[0]!.payload) as {
    threadTs: string;
    answer: { title: string };
  };
  expect(payload.threadTs).toBe('1764064901.000200');
  expect(payload.answer.title).toContain('incident channels');
});
