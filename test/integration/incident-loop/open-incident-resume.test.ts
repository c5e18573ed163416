// A retried open-incident job resumes where the failed attempt stopped: with Slack failing the invite after the
// channel, briefing and topic were done, the retry invites and posts the pointer without doing anything twice; a
// briefing whose answer was lost is found in the channel, not posted again.
import { afterEach, describe, expect, it } from 'vitest';
import { makeAlertmanagerPayload } from '../../helpers/factories.js';
import { waitFor } from '../../helpers/wait-for.js';
import { createLogger } from '../../../src/logger.js';
import {
  BOTH_QUEUES,
  onePagerConfig,
  sendAlertmanagerPage,
  startWholeApp,
  type WholeApp,
} from '../../helpers/whole-app.js';

const fileConfig = onePagerConfig();

let whole: WholeApp | undefined;
afterEach(async () => {
  await whole?.stop();
  whole = undefined;
});

describe.each(BOTH_QUEUES)('opening the incident in chat %s', (_case, env) => {
  it('a retry after the invite failed creates no second channel and posts, sets and invites each thing once', async () => {
    whole = await startWholeApp(fileConfig, env);
    const { app, slack } = whole;
    slack.failMethods(['conversations.invite'], { status: 503 });
    const res = await fetch(`${app.url}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(makeAlertmanagerPayload()),
    });
    expect(res.status).toBe(202);
    const incident = await waitFor(
      'the channel and briefing, the invite failing',
      async () => {
        const row = await app.ctx.knex('incidents').whereNotNull('briefing_ts').first();
        // The topic's step is recorded with the invites' statement, or on its own once the invites failed.
        return row?.chat_progress.topic && slack.failedCalls().includes('conversations.invite') ? row : undefined;
      },
      20_000,
    );
    expect(incident.chat_progress).toEqual({ topic: expect.any(String) });
    const failedInvites = slack.failedCalls().filter((m) => m === 'conversations.invite').length;
    slack.recover();
    const done = await waitFor(
      'the retry finished: invited and pointed',
      async () => {
        const row = await app.ctx.knex('incidents').where({ id: incident.id }).first();
        return row.chat_progress.pointer ? row : undefined;
      },
      20_000,
    );
    expect(Object.keys(done.chat_progress).sort()).toEqual(['invited', 'pointer', 'topic']);
    expect(done.channel_id).toBe(incident.channel_id);
    expect(done.briefing_ts).toBe(incident.briefing_ts);
    expect(failedInvites).toBeGreaterThanOrEqual(1);

    const calls = slack.calls();
    const count = (method: string, channel?: string) =>
      calls.filter((c) => c.method === method && (channel === undefined || c.args.channel === channel)).length;
    expect(count('conversations.create')).toBe(1);
    expect(count('conversations.setTopic', incident.channel_id)).toBe(1);
    expect(count('conversations.invite', incident.channel_id)).toBe(1);
    const briefings = calls.filter(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.channel === incident.channel_id &&
        String(c.args.text).startsWith(`${incident.public_id} [`),
    );
    expect(briefings).toHaveLength(1);
    // One pointer in the alerts channel. Its paging note may be there too (asked for before the channel was recorded).
    const note = (text: unknown) => String(text).includes(':pager:');
    expect(
      calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === 'C0ALERTS' && !note(c.args.text)),
    ).toHaveLength(1);
    expect(slack.channels().filter((c) => /^inc-\d+-/.test(c.name))).toHaveLength(1);
    expect(slack.topLevel('C0ALERTS').filter((m) => m.text.includes(incident.public_id) && !note(m.text))).toHaveLength(
      1,
    );
    const events = (await app.ctx
      .knex('incident_events')
      .where({ incident_id: incident.id })
      .select('type', 'at')) as Array<{
      type: string;
      at: Date;
    }>;
    for (const type of ['channel.created', 'briefing.posted', 'responders.invited', 'pointer.posted'])
      expect(events.filter((e) => e.type === type)).toHaveLength(1);
    // Every entry is on the app's clock (the tests' 2026-11-24), never the machine's: none after the clock's now.
    const now = app.ctx.clock.now().getTime();
    for (const e of events) expect({ type: e.type, late: e.at.getTime() > now }).toEqual({ type: e.type, late: false });
  }, 60_000);

  it('a briefing whose answer was lost is found in the channel and updated, not posted a second time', async () => {
    whole = await startWholeApp(fileConfig, env);
    const { app, slack } = whole;
    // The briefing reaches the channel but its answer is lost: the opening fails after the post and is retried.
    slack.loseAnswers('chat.postMessage', { matches: (a) => isBriefing(a.message) });
    await sendAlertmanagerPage(app.url);
    const done = await openingDone(app);
    expect(slack.failedCalls()).toEqual(['chat.postMessage']);
    // One briefing in the channel, the one recorded: the retry found it by its marker (message metadata), which names
    // the incident row.
    const briefings = slack.topLevel(done.channel_id).filter(isBriefing);
    expect(briefings.map((m) => m.ts)).toEqual([done.briefing_ts]);
    expect(briefings[0]!.metadata).toEqual({
      event_type: 'incident_briefing',
      event_payload: { key: `${done.id}:${new Date(done.opened_at).getTime()}` },
    });
    const calls = slack.calls();
    const history = calls.filter((c) => c.method === 'conversations.history' && c.args.channel === done.channel_id);
    expect(history).toHaveLength(1);
    expect(history[0]!.args.include_all_metadata).toBeTruthy();
    // Brought up to date in place (it was posted before the retry).
    expect(
      calls.filter(
        (c) => c.method === 'chat.update' && c.args.channel === done.channel_id && c.args.ts === done.briefing_ts,
      ).length,
    ).toBeGreaterThanOrEqual(1);
    const events = await app.ctx.knex('incident_events').where({ incident_id: done.id, type: 'briefing.posted' });
    expect(events.map((e: { data: { ts: string } }) => e.data.ts)).toEqual([done.briefing_ts]);
  }, 60_000);

  it.each([
    ['refuses the channel history (no scope)', { error: 'missing_scope' }],
    ['fails the channel history (down)', { status: 503 }],
  ] as const)(
    'a workspace that %s gets the briefing posted again, with a warning, and the opening goes on',
    async (_how, failure) => {
      const lines: string[] = [];
      const logger = createLogger({ level: 'warn', format: 'json', destination: { write: (l) => lines.push(l) } });
      whole = await startWholeApp(fileConfig, env, { logger });
      const { app, slack } = whole;
      slack.loseAnswers('chat.postMessage', { matches: (a) => isBriefing(a.message) });
      slack.failMethods(['conversations.history'], failure);
      await sendAlertmanagerPage(app.url);
      const done = await openingDone(app);
      expect(slack.failedCalls()).toEqual(['chat.postMessage', 'conversations.history']);
      const briefings = slack.topLevel(done.channel_id).filter(isBriefing);
      expect(briefings).toHaveLength(2);
      expect(briefings[1]!.ts).toBe(done.briefing_ts);
      expect(lines.join('')).toContain('could not look in the incident channel for a briefing posted before');
    },
    60_000,
  );
});

/** The incident once a retried opening finished: its briefing recorded, its responders invited, its line posted. */
function openingDone(app: WholeApp['app']) {
  return waitFor(
    'the retry finished: briefing recorded, invited and pointed',
    async () => {
      const row = await app.ctx.knex('incidents').whereNotNull('briefing_ts').first();
      return row?.chat_progress.pointer && row.chat_progress.invited ? row : undefined;
    },
    20_000,
  );
}

/** Whether a message (as the local Slack holds it, or as an answer carries it) is an incident's first briefing. */
function isBriefing(message: unknown): boolean {
  return (message as { metadata?: { event_type?: string } } | undefined)?.metadata?.event_type === 'incident_briefing';
}
