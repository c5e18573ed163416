// The Slack ChatNotifier against the local Slack through the real WebClient: channel names, threads, uploads, errors.
import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { createSlackChatNotifier } from '../../../src/adapters/slack/chat-notifier.js';
import { ExternalServiceError, RateLimitedError } from '../../../src/errors.js';
import { createLogger } from '../../../src/logger.js';
import { RosterIds, startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.js';

let slack: FakeSlack | undefined;
afterEach(async () => {
  await slack?.close();
  slack = undefined;
});

/** A notifier on a fresh local Slack, or (`sameSlack`) another process's notifier on the current one. */
async function notifier(sameSlack = false) {
  if (!sameSlack || !slack) slack = await startFakeSlack();
  const client = new WebClient(slack.botToken, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  return createSlackChatNotifier(client, createLogger({ level: 'silent' }));
}

describe('Slack ChatNotifier', () => {
  it('creates channels, suffixing taken names, and posts, updates and threads messages', async () => {
    const chat = await notifier();
    const a = await chat.createChannel('inc-9-checkout-down');
    const b = await chat.createChannel('inc-9-checkout-down');
    expect([a.name, b.name]).toEqual(['inc-9-checkout-down', 'inc-9-checkout-down-2']);
    const posted = await chat.postMessage(a.id, 'hello', [
      { type: 'section', text: { type: 'mrkdwn', text: 'hello' } },
    ]);
    await chat.updateMessage(a.id, posted.ts, 'hello again', [
      { type: 'section', text: { type: 'mrkdwn', text: 'hello again' } },
    ]);
    await chat.postMessage(a.id, 'in the thread', undefined, posted.ts);
    expect(slack!.thread(a.id, posted.ts).map((m) => m.text)).toEqual(['hello again', 'in the thread']);
    await chat.uploadFile(a.id, {
      filename: 'chart.png',
      title: 'chart',
      content: Buffer.from([0x89, 0x50, 0x4e, 0x47]),
      threadTs: posted.ts,
    });
    expect(slack!.uploads().map((u) => u.file.name)).toEqual(['chart.png']);
  });

  it("adopts its own channel of the name when an earlier create's answer was lost, and only its own, recent one", async () => {
    const chat = await notifier();
    const first = await chat.createChannel('inc-11-adopt');
    // The retry of a create that reached Slack: the same channel, not a `-2` beside it.
    const again = await chat.createChannel('inc-11-adopt', { adoptOwnWithinMs: 3_600_000 });
    expect(again).toEqual({ id: first.id, name: 'inc-11-adopt' });
    // Without asking to adopt: a channel of its own, suffixed.
    expect((await chat.createChannel('inc-11-adopt')).name).toBe('inc-11-adopt-2');
    // A person's channel of that name is never taken over.
    slack!.sandbox.state.createChannel('inc-12-theirs', RosterIds.primary);
    expect((await chat.createChannel('inc-12-theirs', { adoptOwnWithinMs: 3_600_000 })).name).toBe('inc-12-theirs-2');
    // Nor one of its own from longer ago than the window (a database started afresh reusing INC numbers).
    const old = await chat.createChannel('inc-13-old');
    slack!.sandbox.state.channels.get(old.id)!.created -= 7200;
    expect((await chat.createChannel('inc-13-old', { adoptOwnWithinMs: 3_600_000 })).name).toBe('inc-13-old-2');
  });

  it('spaces its own messages a second apart, so Slack refuses none of them', async () => {
    const chat = await notifier();
    const { id } = await chat.createChannel('inc-10-spaced');
    slack!.setRateLimit({ enabled: true, perSecond: 1, burst: 1 });
    const started = Date.now();
    await Promise.all([chat.postMessage(id, 'one'), chat.postMessage(id, 'two'), chat.postMessage(id, 'three')]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(
      slack!
        .messages(id)
        .filter((m) => !m.subtype)
        .map((m) => m.text),
    ).toEqual(['one', 'two', 'three']);
    expect(slack!.sandbox.limiter.refused).toBe(0);
  });

  it("turns another process's 429 into RateLimitedError carrying Retry-After, and a bad channel into a permanent error", async () => {
    // Two processes share no schedule: the second one's post meets Slack's limit.
    const chat = await notifier();
    const other = await notifier(true);
    const { id } = await chat.createChannel('inc-10-rate');
    slack!.setRateLimit({ enabled: true, perSecond: 1, burst: 1 });
    await chat.postMessage(id, 'one');
    const err = await other.postMessage(id, 'two').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err).toMatchObject({ service: 'slack', retryable: true });
    expect((err as RateLimitedError).retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(slack!.sandbox.limiter.refused).toBe(1);
    const notFound = await chat.postMessage('C0NOPE', 'x').catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(ExternalServiceError);
    expect(notFound).toMatchObject({ retryable: false, message: 'slack: chat.postMessage: channel_not_found' });
  });

  it('lists user group members and finds users by email', async () => {
    const chat = await notifier();
    expect(await chat.listUserGroupMembers('S0ONCALL')).toEqual(['U0PRIMARY', 'U0SECONDARY']);
    expect(await chat.lookupUserByEmail('priya@example.com')).toMatchObject({
      id: 'U0PRIMARY',
      email: 'priya@example.com',
    });
    expect(await chat.lookupUserByEmail('nobody@example.invalid')).toBeUndefined();
  });

  it('sends a message again without its marker when Slack refuses the metadata, and keeps the marker otherwise', async () => {
    slack = await startFakeSlack();
    const client = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    // A Slack that refuses this metadata (a limit it does not document, say), as its Web API words such a refusal.
    const refuse = (fn: (args: never) => Promise<unknown>) => async (args: { metadata?: unknown }) => {
      if (args.metadata)
        throw Object.assign(new Error('An API error occurred: invalid_metadata_schema'), {
          code: 'slack_webapi_platform_error',
          data: { ok: false, error: 'invalid_metadata_schema' },
        });
      return fn(args as never);
    };
    const post = client.chat.postMessage.bind(client.chat);
    const update = client.chat.update.bind(client.chat);
    client.chat.postMessage = refuse(post) as typeof client.chat.postMessage;
    client.chat.update = refuse(update) as typeof client.chat.update;
    const chat = createSlackChatNotifier(client, createLogger({ level: 'silent' }));
    const marker = { type: 'page_digest', key: '1.abc' };
    const dm = await chat.sendDirect(RosterIds.primary, 'a page', undefined, marker);
    const line = await chat.postMessage('C0ALERTS', 'a line', undefined, undefined, marker);
    await chat.updateMessage(line.channel, line.ts, 'a line, edited', undefined, marker);
    expect(slack.topLevel(dm.channel).map((m) => [m.text, m.metadata])).toEqual([['a page', undefined]]);
    expect(slack.topLevel('C0ALERTS').map((m) => [m.text, m.metadata])).toEqual([['a line, edited', undefined]]);

    // Accepted, the marker goes with the message and with an edit that gives one.
    const plain = await notifier(true);
    const kept = await plain.postMessage('C0ALERTS', 'kept', undefined, undefined, marker);
    await plain.updateMessage(kept.channel, kept.ts, 'kept, edited', undefined, { ...marker, key: '1.abc,2.abd' });
    expect(slack.topLevel('C0ALERTS').map((m) => [m.text, m.metadata])).toEqual([
      ['a line, edited', undefined],
      ['kept, edited', { event_type: 'page_digest', event_payload: { key: '1.abc,2.abd' } }],
    ]);
  });
});
