// A briefing update whose note under the briefing Slack's budget holds back (presenters/slack/jobs/update-briefing.ts),
// on PGlite with the chat port behind the Slack rate schedule on a manual clock: the edit and its note are two messages
// in one channel, one interval apart, and a call may wait less than that (maxWaitMs 500, as in a storm's test). The
// update must not be retried for its note: each retry would edit the briefing again (a chat.update of its tier's
// budget, about one every 1.2 s) only to be refused the note again, for good, and that stream of edits starved every
// other job's chat.update (the alerts channel's lines never came to point at their channels). The note goes through
// a job of its own, queued with the state it tells.
import { expect, it } from 'vitest';
import { refreshBriefing } from '../../../presenters/slack/jobs/update-briefing.js';
import { postIncidentNoteJob } from '../../../presenters/slack/jobs/post-incident-note.js';
import { SlackRateSchedule, type RateClock } from '../../../src/adapters/slack/rate-schedule.js';
import { RateLimitedError } from '../../../src/errors.js';
import type { AppContext } from '../../../src/context.js';
import { Recorder, handlerContext, insertIncident, useHandlerDatabase } from '../../helpers/handler-context.js';

const pg = useHandlerDatabase();

function manualClock(): RateClock & { advance(ms: number): void } {
  let at = 1_000_000;
  return {
    now: () => at,
    sleep: async (ms) => void (at += ms),
    advance: (ms) => void (at += ms),
  };
}

/** The chat port's posts and edits go through the rate schedule, as the Slack adapter's do. */
function behindSchedule(ctx: AppContext, schedule: SlackRateSchedule): void {
  const chat = ctx.chat;
  const post = chat.postMessage.bind(chat);
  const update = chat.updateMessage.bind(chat);
  chat.postMessage = (channel, ...rest) => schedule.run('chat.postMessage', channel, () => post(channel, ...rest));
  chat.updateMessage = (channel, ...rest) => schedule.run('chat.update', channel, () => update(channel, ...rest));
}

it('edits the briefing once and queues its note when the note must wait longer than a call may', async () => {
  const rec = new Recorder();
  const ctx = handlerContext(rec, { db: pg.db, queue: pg.queue });
  const clock = manualClock();
  behindSchedule(ctx, new SlackRateSchedule({ perChannelIntervalMs: 1000, maxWaitMs: 500 }, clock));
  const incident = await insertIncident(ctx, { channelId: 'C0NOTEBUDGET' });
  // Shown as acknowledged; it is triggered now: the update has a note to post ("Status: acknowledged → triggered").
  const shown = {
    phase: 'investigating',
    roles: [],
    firing: 0,
    status: 'acknowledged',
    evidence: [],
    resolved: 0,
    severity: 'sev2',
    commander: null,
    suggested: null,
    remediations: [],
    topHypothesis: null,
  };
  await ctx
    .knex('incidents')
    .where({ id: incident.id })
    .update({ briefing_ts: '1764064900.000001', briefing_state: JSON.stringify(shown) });

  // The job's attempts as the queue runs them: a rate limit brings it back once the wait it was told has passed.
  let attempts = 0;
  for (; attempts < 5; attempts++) {
    try {
      await refreshBriefing(ctx, incident.id);
      break;
    } catch (err) {
      if (!(err instanceof RateLimitedError)) throw err;
      clock.advance(err.retryAfterMs);
    }
  }
  expect(attempts).toBe(0);
  const edits = rec.chat.filter((c) => c.method === 'updateMessage');
  expect(edits).toHaveLength(1);
  expect(rec.chat.filter((c) => c.method === 'postMessage')).toHaveLength(0);

  // The state it showed is recorded, and its note waits in a job of its own for the wait it was told.
  const row = (await ctx.knex('incidents').where({ id: incident.id }).first()) as {
    briefing_state: { status: string };
  };
  expect(row.briefing_state.status).toBe('triggered');
  const jobs = (await ctx.knex('jobs').where({ name: 'post-incident-note' })) as Array<{ payload: unknown }>;
  expect(jobs).toHaveLength(1);
  const payload = jobs[0]!.payload as { incidentId: number; note: { kind: string; changes: string[] } };
  expect(payload.note).toEqual({ kind: 'changes', changes: ['Status: acknowledged → triggered'] });

  // Its turn: the note goes under the briefing, once.
  clock.advance(1000);
  await postIncidentNoteJob(ctx).process(payload as never, {} as never);
  const posts = rec.chat.filter((c) => c.method === 'postMessage');
  expect(posts).toHaveLength(1);
  expect(posts[0]!.args[0]).toBe('C0NOTEBUDGET');
  expect(String(posts[0]!.args[1])).toContain('Status: acknowledged → triggered');
  expect(posts[0]!.args[3]).toBe('1764064900.000001');

  // Nothing left to tell: a later update edits nothing new into a note.
  clock.advance(1000);
  await refreshBriefing(ctx, incident.id);
  expect(rec.chat.filter((c) => c.method === 'postMessage')).toHaveLength(1);
});
