// The local Slack's Web API, driven by the real @slack/web-api WebClient against the standalone server.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebClient, WebClientEvent, ErrorCode, type WebAPIPlatformError } from '@slack/web-api';
import { SlackSandbox } from '../../../../sandbox/slack/slack-sandbox.js';
import { RosterIds, SANDBOX_BOT } from '../../../../sandbox/slack/roster.js';

let sandbox: SlackSandbox;
let server: { url: string; close(): Promise<void> };
let client: WebClient;

const quiet = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => 'error',
  setName() {},
} as never;

function makeClient(token = 'xoxb-unit') {
  return new WebClient(token, { slackApiUrl: sandbox.apiUrl, logger: quiet, retryConfig: { retries: 0 } });
}

async function slackError(p: Promise<unknown>): Promise<WebAPIPlatformError['data']> {
  try {
    await p;
  } catch (err) {
    const e = err as WebAPIPlatformError;
    expect(e.code).toBe(ErrorCode.PlatformError);
    return e.data;
  }
  throw new Error('expected the call to fail');
}

beforeEach(async () => {
  sandbox = new SlackSandbox({ botToken: 'xoxb-unit', signingSecret: 'unit-secret' });
  server = await sandbox.listen(0);
  client = makeClient();
});

afterEach(async () => {
  await server.close();
});

describe('Slack Web API sandbox', () => {
  it('answers auth.test as the copilot bot', async () => {
    const res = await client.auth.test();
    expect(res.ok).toBe(true);
    expect(res.user_id).toBe(SANDBOX_BOT.userId);
    expect(res.bot_id).toBe(SANDBOX_BOT.botId);
  });

  it('rejects a wrong token with invalid_auth and a missing one with not_authed', async () => {
    expect((await slackError(makeClient('xoxb-wrong').auth.test())).error).toBe('invalid_auth');
    const res = await fetch(`${sandbox.apiUrl}auth.test`, { method: 'POST' });
    expect(await res.json()).toEqual({ ok: false, error: 'not_authed' });
  });

  it('posts a message with blocks, updates it, and history shows the update', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Checkout* is down' } }];
    const posted = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'Checkout is down', blocks });
    expect(posted.channel).toBe('C0ALERTS');
    expect(posted.message?.blocks).toEqual(blocks);
    await client.chat.update({
      channel: 'C0ALERTS',
      ts: posted.ts!,
      text: 'Checkout recovered',
      blocks: [{ type: 'divider' }],
    });
    const history = await client.conversations.history({ channel: 'C0ALERTS' });
    expect(history.messages).toHaveLength(1);
    expect(history.messages![0]!.text).toBe('Checkout recovered');
    expect(history.messages![0]!.blocks).toEqual([{ type: 'divider' }]);
    expect(sandbox.state.message('C0ALERTS', posted.ts!)?.edited).toBeDefined();
  });

  it('keeps message metadata and returns it from history only with include_all_metadata, as Slack does', async () => {
    const metadata = { event_type: 'incident_briefing', event_payload: { key: '7:1795946400000' } };
    await client.chat.postMessage({ channel: 'C0ONCALL', text: 'briefing', metadata });
    const plain = await client.conversations.history({ channel: 'C0ONCALL' });
    expect(plain.messages![0]!.metadata).toBeUndefined();
    const withAll = await client.conversations.history({ channel: 'C0ONCALL', include_all_metadata: true });
    expect(withAll.messages![0]!.metadata).toEqual(metadata);
    const bad = { event_type: 'incident_briefing', event_payload: 'not an object' } as unknown as typeof metadata;
    expect((await slackError(client.chat.postMessage({ channel: 'C0ONCALL', text: 'x', metadata: bad }))).error).toBe(
      'invalid_metadata_format',
    );
  });

  it('accepts a channel name and JSON bodies as Slack does', async () => {
    const res = await fetch(`${sandbox.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { Authorization: 'Bearer xoxb-unit', 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: '#oncall', text: 'hello', blocks: [{ type: 'divider' }] }),
    });
    const body = (await res.json()) as { ok: boolean; channel: string };
    expect(body).toMatchObject({ ok: true, channel: 'C0ONCALL' });
  });

  it('keeps thread replies out of history and returns them from conversations.replies', async () => {
    const parent = await client.chat.postMessage({ channel: 'C0ONCALL', text: 'parent' });
    await client.chat.postMessage({ channel: 'C0ONCALL', text: 'reply 1', thread_ts: parent.ts! });
    await client.chat.postMessage({ channel: 'C0ONCALL', text: 'reply 2', thread_ts: parent.ts! });
    const history = await client.conversations.history({ channel: 'C0ONCALL' });
    expect(history.messages!.map((m) => m.text)).toEqual(['parent']);
    expect(history.messages![0]!.reply_count).toBe(2);
    const replies = await client.conversations.replies({ channel: 'C0ONCALL', ts: parent.ts! });
    expect(replies.messages!.map((m) => m.text)).toEqual(['parent', 'reply 1', 'reply 2']);
  });

  it('answers name_taken when a channel name exists, and creates, invites and sets the topic', async () => {
    const created = await client.conversations.create({ name: 'inc-1-checkout' });
    expect(created.channel?.name).toBe('inc-1-checkout');
    expect((await slackError(client.conversations.create({ name: 'inc-1-checkout' }))).error).toBe('name_taken');
    expect((await slackError(client.conversations.create({ name: 'Bad Name!' }))).error).toBe('invalid_name_specials');
    await client.conversations.invite({
      channel: created.channel!.id!,
      users: `${RosterIds.primary},${RosterIds.manager}`,
    });
    expect(
      (await slackError(client.conversations.invite({ channel: created.channel!.id!, users: RosterIds.primary })))
        .error,
    ).toBe('already_in_channel');
    await client.conversations.setTopic({ channel: created.channel!.id!, topic: 'SEV1 checkout 5xx' });
    const info = await client.conversations.info({ channel: created.channel!.id! });
    expect(info.channel?.topic?.value).toBe('SEV1 checkout 5xx');
    expect(sandbox.state.channels.get(created.channel!.id!)!.members).toEqual([
      SANDBOX_BOT.userId,
      RosterIds.primary,
      RosterIds.manager,
    ]);
  });

  it('answers channel_not_found for unknown channels', async () => {
    expect((await slackError(client.chat.postMessage({ channel: 'C0NOPE', text: 'x' }))).error).toBe(
      'channel_not_found',
    );
    expect((await slackError(client.conversations.info({ channel: 'C0NOPE' }))).error).toBe('channel_not_found');
  });

  it('answers invalid_blocks with Slack-style messages for a header over 150 characters', async () => {
    const data = await slackError(
      client.chat.postMessage({
        channel: 'C0ALERTS',
        text: 'x',
        blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
      }),
    );
    expect(data.error).toBe('invalid_blocks');
    expect(data.response_metadata?.messages).toEqual([
      '[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]',
    ]);
    expect(sandbox.state.channelMessages('C0ALERTS')).toHaveLength(0);
  });

  it('answers msg_blocks_too_long past 12,000 characters of block text in a post or an edit, and takes 12,000', async () => {
    const sections = (total: number) =>
      Array.from({ length: 5 }, (_, i) => ({
        type: 'section',
        text: { type: 'mrkdwn', text: 'x'.repeat(total / 5 + (i === 0 ? total % 5 : 0)) },
      }));
    const ok = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'x', blocks: sections(12_000) });
    expect(ok.ok).toBe(true);
    expect(
      (await slackError(client.chat.postMessage({ channel: 'C0ONCALL', text: 'x', blocks: sections(12_001) }))).error,
    ).toBe('msg_blocks_too_long');
    expect(
      (await slackError(client.chat.update({ channel: 'C0ALERTS', ts: ok.ts!, text: 'x', blocks: sections(12_005) })))
        .error,
    ).toBe('msg_blocks_too_long');
    expect(sandbox.state.channelMessages('C0ONCALL')).toHaveLength(0);
  });

  it('posts ephemerals only to members and records them for that user', async () => {
    const res = await client.chat.postEphemeral({ channel: 'C0ALERTS', user: RosterIds.bystander, text: 'only you' });
    expect(res.message_ts).toBeDefined();
    expect(sandbox.state.ephemerals).toMatchObject([
      { channel: 'C0ALERTS', user: RosterIds.bystander, text: 'only you' },
    ]);
    const ch = await client.conversations.create({ name: 'private-ish' });
    expect(
      (await slackError(client.chat.postEphemeral({ channel: ch.channel!.id!, user: RosterIds.bystander, text: 'x' })))
        .error,
    ).toBe('user_not_in_channel');
  });

  it('posts to public channels it is not in (chat:write.public) but not to private ones', async () => {
    sandbox.state.channels.get('C0GENERAL')!.members = [RosterIds.primary];
    expect((await client.chat.postMessage({ channel: 'C0GENERAL', text: 'hello' })).ok).toBe(true);
    const secret = sandbox.state.createChannel('secret', RosterIds.primary, true);
    expect((await slackError(client.chat.postMessage({ channel: secret.id, text: 'x' }))).error).toBe('not_in_channel');
    expect((await slackError(client.conversations.history({ channel: secret.id }))).error).toBe('not_in_channel');
  });

  it('opens a DM and looks up users, user groups and emails', async () => {
    const dm = await client.conversations.open({ users: RosterIds.secondary });
    expect(dm.channel?.id).toMatch(/^D/);
    expect((await client.conversations.open({ users: RosterIds.secondary })).channel?.id).toBe(dm.channel?.id);
    await client.chat.postMessage({ channel: dm.channel!.id!, text: 'you are paged' });
    expect(sandbox.state.channelMessages(dm.channel!.id!).map((m) => m.text)).toEqual(['you are paged']);
    expect((await client.users.info({ user: RosterIds.primary })).user?.real_name).toBe('Priya');
    expect((await client.users.lookupByEmail({ email: 'sam@example.com' })).user?.id).toBe(RosterIds.secondary);
    expect((await slackError(client.users.lookupByEmail({ email: 'nobody@example.com' }))).error).toBe(
      'users_not_found',
    );
    expect((await client.usergroups.users.list({ usergroup: 'S0ONCALL' })).users).toEqual([
      RosterIds.primary,
      RosterIds.secondary,
    ]);
    expect((await slackError(client.usergroups.users.list({ usergroup: 'S0NOPE' }))).error).toBe('no_such_subteam');
    expect((await client.users.list({})).members!.map((m) => m.id)).toContain(RosterIds.bystander);
  });

  it('rate limits chat.postMessage per channel with 429 and Retry-After, which WebClient waits out', async () => {
    // A slow refill first, so the 429 cannot be missed however slow the machine is.
    sandbox.limiter.configure({ enabled: true, perSecond: 0.1, burst: 1 });
    const raw = await fetch(`${sandbox.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { Authorization: 'Bearer xoxb-unit', 'Content-Type': 'application/json' },
      body: JSON.stringify({ channel: 'C0GENERAL', text: 'a' }),
    });
    expect(raw.status).toBe(200);
    const limited = await fetch(`${sandbox.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { Authorization: 'Bearer xoxb-unit', 'Content-Type': 'application/json' },
      body: JSON.stringify({ channel: 'C0GENERAL', text: 'b' }),
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('10');
    expect(await limited.json()).toEqual({ ok: false, error: 'ratelimited' });

    sandbox.limiter.configure({ enabled: true, perSecond: 1, burst: 1 });
    await client.chat.postMessage({ channel: 'C0GENERAL', text: 'b' });

    const retrying = new WebClient('xoxb-unit', {
      slackApiUrl: sandbox.apiUrl,
      logger: quiet,
      retryConfig: { retries: 3, factor: 1, minTimeout: 10, maxTimeout: 10 },
    });
    let rateLimitedEvents = 0;
    retrying.on(WebClientEvent.RATE_LIMITED, () => rateLimitedEvents++);
    const started = Date.now();
    const res = await retrying.chat.postMessage({ channel: 'C0GENERAL', text: 'c' });
    expect(res.ok).toBe(true);
    expect(rateLimitedEvents).toBeGreaterThanOrEqual(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(sandbox.state.channelMessages('C0GENERAL').map((m) => m.text)).toEqual(['a', 'b', 'c']);
    // Another channel has its own bucket.
    expect((await client.chat.postMessage({ channel: 'C0ONCALL', text: 'elsewhere' })).ok).toBe(true);
  });

  it('uploads a file end to end with filesUploadV2 and shares it in a thread', async () => {
    const parent = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'chart below' });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const res = await client.filesUploadV2({
      channel_id: 'C0ALERTS',
      thread_ts: parent.ts!,
      file: png,
      filename: 'error-rate.png',
      title: 'Error rate',
    });
    expect(res.ok).toBe(true);
    const replies = await client.conversations.replies({ channel: 'C0ALERTS', ts: parent.ts! });
    expect(replies.messages).toHaveLength(2);
    const shared = replies.messages![1]!.files![0]!;
    expect(shared).toMatchObject({
      name: 'error-rate.png',
      title: 'Error rate',
      mimetype: 'image/png',
      size: png.length,
    });
    const download = await fetch(shared.url_private!);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(png);
  });

  it('supports the legacy files.upload with text content', async () => {
    const res = await client.apiCall('files.upload', {
      channels: 'C0ONCALL',
      content: 'log line 1\nlog line 2',
      filename: 'logs.txt',
      title: 'Logs',
    });
    expect(res.ok).toBe(true);
    const msg = sandbox.state.channelMessages('C0ONCALL')[0]!;
    const file = sandbox.state.files.get(msg.files![0]!)!;
    expect(file.title).toBe('Logs');
    expect(sandbox.state.fileContents.get(file.id)!.toString()).toBe('log line 1\nlog line 2');
  });

  it('opens a modal only with a fresh trigger id', async () => {
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Declare' }, blocks: [] };
    expect((await slackError(client.views.open({ trigger_id: 'made-up', view }))).error).toBe('invalid_trigger_id');
    const trigger = sandbox.interactions.issueTrigger(RosterIds.primary);
    const opened = await client.views.open({ trigger_id: trigger, view });
    expect(opened.view?.id).toMatch(/^V/);
    expect(sandbox.state.topView(RosterIds.primary)?.id).toBe(opened.view?.id);
    expect((await slackError(client.views.open({ trigger_id: trigger, view }))).error).toBe('exchanged_trigger_id');
    const updated = await client.views.update({
      view_id: opened.view!.id!,
      view: { ...view, title: { type: 'plain_text', text: 'Updated' } },
    });
    expect((updated.view?.title as { text: string }).text).toBe('Updated');
  });

  it('answers unknown_method for methods it does not know', async () => {
    expect((await slackError(client.apiCall('reactions.nope', {}))).error).toBe('unknown_method');
  });
});
