// The ChatNotifier port over Slack's Web API (WebClient); vendor errors become ExternalServiceError.
import type { KnownBlock, WebClient } from '@slack/web-api';
import type { Logger } from '../../logger.js';
import { ExternalServiceError } from '../../errors.js';
import type { ChatBlock, ChatNotifier, ChatUser, PostedMessage } from '../../incidents/chat-notifier.js';

interface SlackErrorShape {
  code?: string;
  data?: { error?: string };
  retryAfter?: number;
  message?: string;
}

/** The Slack error code of a failed call ("name_taken", "ratelimited", ...), when there is one. */
export function slackErrorCode(err: unknown): string | undefined {
  const e = err as SlackErrorShape;
  if (e?.code === 'slack_webapi_rate_limited_error') return 'ratelimited';
  return e?.data?.error;
}

/** Errors a retry cannot fix: the job fails for good instead of retrying. */
const PERMANENT = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'channel_not_found',
  'invalid_blocks',
  'msg_too_long',
  'missing_scope',
  'not_in_channel',
  'is_archived',
]);

function toAppError(method: string, err: unknown): ExternalServiceError {
  const e = err as SlackErrorShape;
  const code = slackErrorCode(err);
  if (code === 'ratelimited') {
    return new ExternalServiceError('slack', `${method}: rate limited`, {
      retryable: true,
      retryAfterMs: (e.retryAfter ?? 1) * 1000,
      cause: err,
    });
  }
  return new ExternalServiceError('slack', `${method}: ${code ?? e?.message ?? 'request failed'}`, {
    retryable: !code || !PERMANENT.has(code),
    cause: err,
  });
}

async function call<T>(method: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toAppError(method, err);
  }
}

/** Builds the Slack ChatNotifier. The WebClient must not retry on its own (jobs own retries and backoff). */
export function createSlackChatNotifier(client: WebClient, logger: Logger): ChatNotifier {
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
  return {
    async createChannel(name) {
      for (let attempt = 1; attempt <= 20; attempt++) {
        const candidate = attempt === 1 ? name : `${name.slice(0, 80 - String(attempt).length - 1)}-${attempt}`;
        try {
          const res = await client.conversations.create({ name: candidate, is_private: false });
          return { id: res.channel!.id!, name: res.channel!.name ?? candidate };
        } catch (err) {
          if (slackErrorCode(err) === 'name_taken') continue;
          throw toAppError('conversations.create', err);
        }
      }
      throw new ExternalServiceError('slack', `conversations.create: every name from ${name} to ${name}-20 is taken`, {
        retryable: false,
      });
    },
    async setTopic(channel, topic) {
      await call('conversations.setTopic', () => client.conversations.setTopic({ channel, topic }));
    },
    async invite(channel, userIds) {
      if (userIds.length === 0) return;
      try {
        await client.conversations.invite({ channel, users: userIds.join(','), force: true });
      } catch (err) {
        // Someone already in the channel is not a failure; the others were invited.
        if (slackErrorCode(err) === 'already_in_channel') return;
        throw toAppError('conversations.invite', err);
      }
    },
    // The port's blocks are Block Kit built by blocks/ as Slack's KnownBlock; the core cannot name Slack's type.
    async postMessage(channel, text, blocks, threadTs): Promise<PostedMessage> {
      const res = await call('chat.postMessage', () =>
        client.chat.postMessage({
          channel,
          text,
          ...(blocks ? { blocks: blocks as KnownBlock[] } : {}),
          ...(threadTs ? { thread_ts: threadTs } : {}),
          unfurl_links: false,
        }),
      );
      return { channel: res.channel ?? channel, ts: res.ts! };
    },
    async updateMessage(channel, ts, text, blocks) {
      await call('chat.update', () =>
        client.chat.update({ channel, ts, text, ...(blocks ? { blocks: blocks as KnownBlock[] } : {}) }),
      );
    },
    async postEphemeral(channel, user, text, blocks?: ChatBlock[]) {
      await call('chat.postEphemeral', () =>
        client.chat.postEphemeral({ channel, user, text, ...(blocks ? { blocks: blocks as KnownBlock[] } : {}) }),
      );
    },
    async sendDirect(user, text, blocks) {
      const open = await call('conversations.open', () => client.conversations.open({ users: user }));
      const channel = open.channel!.id!;
      const res = await call('chat.postMessage', () =>
        client.chat.postMessage({ channel, text, ...(blocks ? { blocks: blocks as KnownBlock[] } : {}) }),
      );
      return { channel: res.channel ?? channel, ts: res.ts! };
    },
    async uploadFile(channel, file) {
      const upload = { channel_id: channel, filename: file.filename, title: file.title, file: file.content };
      // Slack's argument type is a union: a file in a thread names its thread_ts, one in the channel has none.
      const threadTs = file.threadTs;
      await call('files.uploadV2', () =>
        threadTs ? client.files.uploadV2({ ...upload, thread_ts: threadTs }) : client.files.uploadV2(upload),
      );
    },
    async getUser(userId) {
      try {
        const res = await client.users.info({ user: userId });
        return toUser(res.user as never);
      } catch (err) {
        if (slackErrorCode(err) === 'user_not_found') return undefined;
        throw toAppError('users.info', err);
      }
    },
    async lookupUserByEmail(email) {
      try {
        const res = await client.users.lookupByEmail({ email });
        return toUser(res.user as never);
      } catch (err) {
        if (slackErrorCode(err) === 'users_not_found') return undefined;
        throw toAppError('users.lookupByEmail', err);
      }
    },
    async listUserGroupMembers(groupId) {
      try {
        const res = await client.usergroups.users.list({ usergroup: groupId });
        return res.users ?? [];
      } catch (err) {
        logger.warn({ err: toAppError('usergroups.users.list', err), groupId }, 'could not list a user group');
        if (slackErrorCode(err) === 'no_such_subteam') return [];
        throw toAppError('usergroups.users.list', err);
      }
    },
  };
}
