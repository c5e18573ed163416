// The ChatNotifier port over Slack's Web API (WebClient); vendor errors become ExternalServiceError.
import type { KnownBlock, WebClient } from '@slack/web-api';
import type { Logger } from '../../logger.js';
import { ExternalServiceError } from '../../errors.js';
import type { ChatBlock, ChatNotifier, ChatUser, MessageMarker, PostedMessage } from '../../incidents/chat-notifier.js';
import { classifySlackError, slackErrorCode, toSlackAppError } from './slack-errors.js';
import { SlackRateSchedule, realRateClock, type RateClock, type SlackRateOptions } from './rate-schedule.js';
import type { SlackHealth } from './slack-health.js';

export { slackErrorCode } from './slack-errors.js';

export interface SlackChatOptions {
  /** Spacing of calls (defaults: Slack's documented limits). */
  rate?: Partial<SlackRateOptions>;
  /** The scheduler's clock (tests inject a manual one). */
  clock?: RateClock;
  /** Told of every call's outcome, to show whether Slack refuses the app itself (/readyz, /metrics). */
  health?: SlackHealth;
}

/** A marker as Slack's message metadata: its type, and its key in the payload. */
const metadataOf = (marker: MessageMarker) => ({ event_type: marker.type, event_payload: { key: marker.key } });

/**
 * Sends with the marker as metadata; when Slack refuses the metadata itself (`invalid_metadata_format`,
 * `invalid_metadata_schema`, or a limit it does not document), sends again without it, logged: the message matters, the
 * marker only spares a second copy after a lost answer.
 */
async function withMarker<T>(
  logger: Logger,
  marker: MessageMarker | undefined,
  send: (metadata?: ReturnType<typeof metadataOf>) => Promise<T>,
): Promise<T> {
  if (!marker) return send();
  try {
    return await send(metadataOf(marker));
  } catch (err) {
    const code = slackErrorCode((err as ExternalServiceError).cause);
    if (!code?.includes('metadata')) throw err;
    logger.warn(
      { err, type: marker.type, keyLength: marker.key.length },
      'Slack refused a message marker; sent without it',
    );
    return send();
  }
}

/** How many pages of 200 messages findOwnMessage reads at most (newest first). */
const FIND_OWN_MESSAGE_PAGES = 5;
/** How long findOwnMessage waits for conversations.history's pace before it gives up (RateLimitedError). */
const FIND_OWN_MESSAGE_MAX_WAIT_MS = 2000;

/**
 * Builds the Slack ChatNotifier. The WebClient must not retry on its own (jobs own retries and backoff) and must
 * reject rate-limited calls: every call waits for its turn in the rate schedule, and a 429 pauses the lane for
 * Retry-After and becomes RateLimitedError, which reschedules the job without spending an attempt.
 */
export function createSlackChatNotifier(client: WebClient, logger: Logger, opts: SlackChatOptions = {}): ChatNotifier {
  const clock = opts.clock ?? realRateClock;
  const schedule = new SlackRateSchedule(opts.rate, clock);
  /** Runs one Web API call at its turn; a failure becomes the app's error (a 429 also pauses the lane). */
  async function call<T>(
    method: string,
    channel: string | undefined,
    fn: () => Promise<T>,
    maxWaitMs?: number,
  ): Promise<T> {
    try {
      // A 429 pauses the lane inside the call's turn, before the channel is let go: a message queued behind it in
      // the same channel then waits for Retry-After, not only for the channel's second.
      return await schedule.run(
        method,
        channel,
        async () => {
          try {
            const result = await fn();
            opts.health?.accepted(method);
            return result;
          } catch (err) {
            const c = classifySlackError(err, method);
            if (c.kind === 'rate_limited') schedule.pause(method, channel, c.retryAfterMs!);
            opts.health?.failed(method, c.code);
            throw err;
          }
        },
        maxWaitMs,
      );
    } catch (err) {
      throw toSlackAppError(method, err);
    }
  }
  /** A post refused with not_in_channel: the bot joins the (public) channel once and posts again. */
  async function post<T>(channel: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await call('chat.postMessage', channel, fn);
    } catch (err) {
      if (slackErrorCode((err as ExternalServiceError).cause) !== 'not_in_channel') throw err;
      await call('conversations.join', undefined, () => client.conversations.join({ channel }));
      return call('chat.postMessage', channel, fn);
    }
  }
  // A DM channel never changes: opening it once per user saves a conversations.open per page.
  const dmChannels = new Map<string, string>();
  async function directChannel(user: string): Promise<string> {
    let channel = dmChannels.get(user);
    if (!channel) {
      const open = await call('conversations.open', undefined, () => client.conversations.open({ users: user }));
      channel = open.channel!.id!;
      dmChannels.set(user, channel);
    }
    return channel;
  }
  const toUser = (
    u:
      | {
          id?: string;
          name?: string;
          real_name?: string;
          tz?: string;
          profile?: { email?: string; real_name?: string; display_name?: string };
        }
      | undefined,
  ): ChatUser | undefined => {
    if (!u?.id) return undefined;
    const user: ChatUser = {
      id: u.id,
      name: u.profile?.display_name || u.real_name || u.profile?.real_name || u.name || u.id,
    };
    if (u.profile?.email) user.email = u.profile.email;
    if (u.tz) user.timeZone = u.tz;
    return user;
  };
  let botUserId: Promise<string | undefined> | undefined;
  /** This app's bot user (auth.test, asked once; asked again after a failure). */
  function ownUserId(): Promise<string | undefined> {
    botUserId ??= call('auth.test', undefined, () => client.auth.test()).then(
      (r) => r.user_id,
      (err: unknown) => {
        botUserId = undefined;
        throw err;
      },
    );
    return botUserId;
  }
  /** A public channel of that name this app's bot created within `withinMs`, when there is one (conversations.list). */
  async function ownChannelNamed(name: string, withinMs: number): Promise<{ id: string; name: string } | undefined> {
    const bot = await ownUserId();
    if (!bot) return undefined;
    const since = (clock.now() - withinMs) / 1000;
    let cursor: string | undefined;
    do {
      const page = await call('conversations.list', undefined, () =>
        client.conversations.list({
          types: 'public_channel',
          exclude_archived: true,
          limit: 1000,
          ...(cursor ? { cursor } : {}),
        }),
      );
      const found = page.channels?.find((c) => c.name === name && c.creator === bot && (c.created ?? 0) >= since);
      if (found?.id) return { id: found.id, name };
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return undefined;
  }
  return {
    async createChannel(name, opts) {
      for (let attempt = 1; attempt <= 20; attempt++) {
        const candidate = attempt === 1 ? name : `${name.slice(0, 80 - String(attempt).length - 1)}-${attempt}`;
        try {
          const res = await call(
            'conversations.create',
            undefined,
            () => client.conversations.create({ name: candidate, is_private: false }),
            opts?.maxWaitMs,
          );
          return { id: res.channel!.id!, name: res.channel!.name ?? candidate };
        } catch (err) {
          if (slackErrorCode((err as ExternalServiceError).cause) !== 'name_taken') throw err;
          // The name asked for is taken: by this app, when an earlier attempt's create reached Slack and its answer
          // was lost (a crash, a timeout)? Then that channel is the one, not a `-2` beside it.
          if (attempt === 1 && opts?.adoptOwnWithinMs !== undefined) {
            const own = await ownChannelNamed(candidate, opts.adoptOwnWithinMs);
            if (own) return own;
          }
        }
      }
      throw new ExternalServiceError('slack', `conversations.create: every name from ${name} to ${name}-20 is taken`, {
        retryable: false,
      });
    },
    async setTopic(channel, topic) {
      await call('conversations.setTopic', undefined, () => client.conversations.setTopic({ channel, topic }));
    },
    async invite(channel, userIds) {
      if (userIds.length === 0) return;
      try {
        await call('conversations.invite', undefined, () =>
          client.conversations.invite({ channel, users: userIds.join(','), force: true }),
        );
      } catch (err) {
        // Someone already in the channel is not a failure; the others were invited.
        if (slackErrorCode((err as ExternalServiceError).cause) === 'already_in_channel') return;
        throw err;
      }
    },
    // The port's blocks are Block Kit built by blocks/ as Slack's KnownBlock; the core cannot name Slack's type.
    async postMessage(channel, text, blocks, threadTs, marker): Promise<PostedMessage> {
      const res = await withMarker(logger, marker, (metadata) =>
        post(channel, () =>
          client.chat.postMessage({
            channel,
            text,
            ...(blocks ? { blocks: blocks as KnownBlock[] } : {}),
            ...(threadTs ? { thread_ts: threadTs } : {}),
            ...(metadata ? { metadata } : {}),
            unfurl_links: false,
          }),
        ),
      );
      return { channel: res.channel ?? channel, ts: res.ts! };
    },
    async updateMessage(channel, ts, text, blocks, marker) {
      await withMarker(logger, marker, (metadata) =>
        call('chat.update', channel, () =>
          client.chat.update({
            channel,
            ts,
            text,
            ...(blocks ? { blocks: blocks as KnownBlock[] } : {}),
            ...(metadata ? { metadata } : {}),
          }),
        ),
      );
    },
    async findOwnMessage(where, type, since, matches) {
      const bot = await ownUserId();
      if (!bot) return undefined;
      const channel = typeof where === 'string' ? where : await directChannel(where.user);
      const keyOf = (m: { metadata?: { event_type?: string; event_payload?: unknown } }) => {
        const key = (m.metadata?.event_payload as { key?: unknown } | undefined)?.key;
        return m.metadata?.event_type === type && typeof key === 'string' ? key : undefined;
      };
      let cursor: string | undefined;
      // Newest first, at most FIND_OWN_MESSAGE_PAGES pages: what an earlier attempt posted is recent. Only a look
      // before posting: it waits for its turn in the method's pace FIND_OWN_MESSAGE_MAX_WAIT_MS at most.
      for (let page = 0; page < FIND_OWN_MESSAGE_PAGES; page++) {
        const res = await call(
          'conversations.history',
          undefined,
          () =>
            client.conversations.history({
              channel,
              oldest: (since.getTime() / 1000).toFixed(6),
              inclusive: true,
              include_all_metadata: true,
              limit: 200,
              ...(cursor ? { cursor } : {}),
            }),
          FIND_OWN_MESSAGE_MAX_WAIT_MS,
        );
        for (const m of res.messages ?? []) {
          const key = m.user === bot && m.ts ? keyOf(m) : undefined;
          if (key !== undefined && matches(key)) return { channel, ts: m.ts!, key };
        }
        cursor = res.response_metadata?.next_cursor || undefined;
        if (!cursor) break;
      }
      return undefined;
    },
    channelTurn: (channel, leadMs) => schedule.channelTurn(channel, leadMs),
    editTurn: () => schedule.methodTurn('chat.update'),
    async postEphemeral(channel, user, text, blocks?: ChatBlock[]) {
      await call('chat.postEphemeral', undefined, () =>
        client.chat.postEphemeral({ channel, user, text, ...(blocks ? { blocks: blocks as KnownBlock[] } : {}) }),
      );
    },
    async sendDirect(user, text, blocks, marker) {
      const dm = await directChannel(user);
      const res = await withMarker(logger, marker, (metadata) =>
        call('chat.postMessage', dm, () =>
          client.chat.postMessage({
            channel: dm,
            text,
            ...(blocks ? { blocks: blocks as KnownBlock[] } : {}),
            ...(metadata ? { metadata } : {}),
          }),
        ),
      );
      return { channel: res.channel ?? dm, ts: res.ts! };
    },
    async uploadFile(channel, file) {
      const upload = { channel_id: channel, filename: file.filename, title: file.title, file: file.content };
      // Slack's argument type is a union: a file in a thread names its thread_ts, one in the channel has none.
      const threadTs = file.threadTs;
      await call('files.uploadV2', undefined, () =>
        threadTs ? client.files.uploadV2({ ...upload, thread_ts: threadTs }) : client.files.uploadV2(upload),
      );
    },
    async getUser(userId) {
      try {
        const res = await call('users.info', undefined, () => client.users.info({ user: userId }));
        return toUser(res.user as never);
      } catch (err) {
        if (slackErrorCode((err as ExternalServiceError).cause) === 'user_not_found') return undefined;
        throw err;
      }
    },
    async lookupUserByEmail(email) {
      try {
        const res = await call('users.lookupByEmail', undefined, () => client.users.lookupByEmail({ email }));
        return toUser(res.user as never);
      } catch (err) {
        if (slackErrorCode((err as ExternalServiceError).cause) === 'users_not_found') return undefined;
        throw err;
      }
    },
    async listUserGroupMembers(groupId) {
      try {
        const res = await call('usergroups.users.list', undefined, () =>
          client.usergroups.users.list({ usergroup: groupId }),
        );
        return res.users ?? [];
      } catch (err) {
        logger.warn({ err, groupId }, 'could not list a user group');
        if (slackErrorCode((err as ExternalServiceError).cause) === 'no_such_subteam') return [];
        throw err;
      }
    },
  };
}
