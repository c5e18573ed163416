// The Slack Web API methods the app uses, over the workspace state, with Slack's response shapes and error codes.
import { randomUUID } from 'node:crypto';
import { blocksText, MESSAGE_BLOCKS_TEXT_MAX, validateBlocks, validateView } from './block-kit.js';
import { SANDBOX_BOT, SANDBOX_TEAM, type RosterUser } from './roster.js';
import {
  newSlackId,
  type Block,
  type SandboxChannel,
  type SandboxFile,
  type SandboxMessage,
  type SandboxView,
  type WorkspaceState,
} from './workspace-state.js';
import type { ChannelRateLimiter } from './rate-limit.js';
import type { Interactions } from './interactions.js';
import { SlackApiError } from './api-error.js';

export { SlackApiError };

export type ApiArgs = Record<string, unknown>;

/** What a method can reach. */
export interface ApiContext {
  state: WorkspaceState;
  limiter: ChannelRateLimiter;
  interactions: Interactions;
  /** Public base URL of the Slack router (…/sandbox/slack), for upload and file URLs. */
  baseUrl: string;
  /** Where permalinks point: the console. */
  consoleUrl: string;
}

type Method = (args: ApiArgs, ctx: ApiContext) => Record<string, unknown>;

const BOT = SANDBOX_BOT.userId;

function str(args: ApiArgs, key: string): string | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function bool(args: ApiArgs, key: string): boolean {
  const v = args[key];
  return v === true || v === 'true' || v === '1' || v === 1;
}

/** Form posts carry nested fields as JSON strings (WebClient stringifies them); JSON posts carry them as is. */
function json(args: ApiArgs, key: string): unknown {
  const v = args[key];
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    throw new SlackApiError('invalid_arguments', {
      response_metadata: { messages: [`[ERROR] ${key} is not valid JSON`] },
    });
  }
}

function list(args: ApiArgs, key: string): string[] {
  const v = args[key];
  if (Array.isArray(v)) return v.map(String);
  const s = str(args, key);
  return s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : [];
}

function channelArg(args: ApiArgs, ctx: ApiContext, key = 'channel'): SandboxChannel {
  const ref = str(args, key);
  const channel = ref ? ctx.state.resolveChannel(ref) : undefined;
  if (!channel) throw new SlackApiError('channel_not_found');
  return channel;
}

function requireBotMember(channel: SandboxChannel): void {
  if (!channel.members.includes(BOT)) throw new SlackApiError('not_in_channel');
}

/** The manifest grants chat:write.public and channels:history: public channels need no membership to post or read. */
function requireBotAccess(channel: SandboxChannel): void {
  if (channel.is_private && !channel.is_im) requireBotMember(channel);
}

function blocksArg(args: ApiArgs): Block[] | undefined {
  const raw = json(args, 'blocks');
  if (raw === undefined || raw === '') return undefined;
  const errors = validateBlocks(raw, 'message');
  if (errors.length) throw new SlackApiError('invalid_blocks', { errors, response_metadata: { messages: errors } });
  return raw as Block[];
}

/** A posted or edited message's blocks: also within Slack's cumulative text limit (msg_blocks_too_long past it). */
function messageBlocksArg(args: ApiArgs): Block[] | undefined {
  const blocks = blocksArg(args);
  if (blocks && blocksText(blocks) > MESSAGE_BLOCKS_TEXT_MAX) throw new SlackApiError('msg_blocks_too_long');
  return blocks;
}

/** The channel object as conversations.info/create return it. */
export function channelView(c: SandboxChannel): Record<string, unknown> {
  return {
    id: c.id,
    name: c.is_im ? undefined : c.name,
    name_normalized: c.is_im ? undefined : c.name,
    is_channel: c.is_channel,
    is_group: c.is_private && !c.is_im,
    is_im: c.is_im,
    is_mpim: false,
    is_private: c.is_private,
    is_archived: c.is_archived,
    is_general: c.name === 'general' && !c.is_im,
    is_member: c.members.includes(BOT),
    is_shared: false,
    is_ext_shared: false,
    is_org_shared: false,
    context_team_id: SANDBOX_TEAM.id,
    created: c.created,
    creator: c.creator,
    user: c.user,
    topic: c.topic,
    purpose: c.purpose,
    num_members: c.members.length,
  };
}

/** The user object as users.info returns it. */
export function userView(u: RosterUser | 'bot'): Record<string, unknown> {
  if (u === 'bot') {
    return {
      id: BOT,
      team_id: SANDBOX_TEAM.id,
      name: SANDBOX_BOT.name,
      real_name: 'Incident Copilot',
      is_bot: true,
      deleted: false,
      tz: 'UTC',
      profile: {
        real_name: 'Incident Copilot',
        display_name: SANDBOX_BOT.name,
        bot_id: SANDBOX_BOT.botId,
        api_app_id: SANDBOX_BOT.appId,
      },
    };
  }
  return {
    id: u.id,
    team_id: SANDBOX_TEAM.id,
    name: u.name,
    real_name: u.realName,
    deleted: false,
    is_bot: false,
    is_admin: false,
    tz: u.timeZone,
    tz_label: u.timeZone,
    tz_offset: 0,
    profile: { real_name: u.realName, display_name: u.name, title: u.title, email: u.email, image_48: '' },
  };
}

/**
 * chat.postMessage's and chat.update's `metadata` (a JSON string in a form post, an object in JSON): `event_type` and an object
 * `event_payload`, as Slack requires; anything else is refused with invalid_metadata_format.
 */
function metadataArg(args: Record<string, unknown>): SandboxMessage['metadata'] {
  const raw = args.metadata;
  if (raw === undefined || raw === '') return undefined;
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new SlackApiError('invalid_metadata_format');
    }
  }
  const m = value as { event_type?: unknown; event_payload?: unknown };
  if (
    typeof m !== 'object' ||
    m === null ||
    typeof m.event_type !== 'string' ||
    !m.event_type ||
    typeof m.event_payload !== 'object' ||
    m.event_payload === null ||
    Array.isArray(m.event_payload)
  )
    throw new SlackApiError('invalid_metadata_format');
  return { event_type: m.event_type, event_payload: m.event_payload as Record<string, unknown> };
}

function messageView(m: SandboxMessage, ctx: ApiContext): Record<string, unknown> {
  const { channel: _channel, files, ...rest } = m;
  const out: Record<string, unknown> = { ...rest, team: SANDBOX_TEAM.id };
  if (m.bot_id)
    out.bot_profile = {
      id: SANDBOX_BOT.botId,
      app_id: SANDBOX_BOT.appId,
      name: SANDBOX_BOT.name,
      team_id: SANDBOX_TEAM.id,
    };
  if (files?.length)
    out.files = files
      .map((id) => ctx.state.files.get(id))
      .filter((f): f is SandboxFile => !!f)
      .map((f) => fileView(f, ctx));
  return out;
}

export function fileView(f: SandboxFile, ctx: Pick<ApiContext, 'baseUrl' | 'consoleUrl'>): Record<string, unknown> {
  const url = `${ctx.baseUrl}/files/${f.id}/${encodeURIComponent(f.name)}`;
  return {
    id: f.id,
    created: f.created,
    timestamp: f.created,
    name: f.name,
    title: f.title,
    mimetype: f.mimetype,
    filetype: f.filetype,
    pretty_type: f.filetype.toUpperCase(),
    user: f.user,
    size: f.size,
    alt_txt: f.alt_text,
    url_private: url,
    url_private_download: `${url}?download=1`,
    permalink: `${ctx.consoleUrl}/files/${f.id}`,
    channels: f.channels,
    is_public: true,
  };
}

const MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  webp: 'image/webp',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  json: 'application/json',
  pdf: 'application/pdf',
  log: 'text/plain',
};

function fileType(name: string): { filetype: string; mimetype: string } {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? 'binary';
  return { filetype: ext === 'jpeg' ? 'jpg' : ext, mimetype: MIME[ext] ?? 'application/octet-stream' };
}

function newFile(
  state: WorkspaceState,
  name: string,
  title: string | undefined,
  size: number,
  altText?: string,
): SandboxFile {
  const file: SandboxFile = {
    id: newSlackId('F'),
    name,
    title: title ?? name,
    ...fileType(name),
    size,
    user: BOT,
    created: Math.floor(Date.now() / 1000),
    channels: [],
    alt_text: altText,
    uploaded: false,
    completed: false,
  };
  state.files.set(file.id, file);
  return file;
}

/** Shares completed files into a channel as one bot message, the way files.completeUploadExternal does. */
function shareFiles(
  ctx: ApiContext,
  files: SandboxFile[],
  channelRef: string | undefined,
  threadTs: string | undefined,
  comment: string | undefined,
  blocks?: Block[],
): void {
  if (!channelRef) return;
  const channel = ctx.state.resolveChannel(channelRef);
  if (!channel) throw new SlackApiError('channel_not_found');
  requireBotAccess(channel);
  for (const f of files) if (!f.channels.includes(channel.id)) f.channels.push(channel.id);
  ctx.state.addMessage({
    channel: channel.id,
    text: comment ?? '',
    blocks,
    user: BOT,
    bot_id: SANDBOX_BOT.botId,
    app_id: SANDBOX_BOT.appId,
    thread_ts: threadTs ? threadParent(ctx.state, channel.id, threadTs) : undefined,
    files: files.map((f) => f.id),
    subtype: 'file_share',
  });
}

function threadParent(state: WorkspaceState, channel: string, threadTs: string): string {
  const parent = state.message(channel, threadTs);
  if (!parent) throw new SlackApiError('thread_not_found');
  return parent.thread_ts && parent.thread_ts !== parent.ts ? parent.thread_ts : parent.ts;
}

/** Builds the full view object from what the app sent. */
function buildView(
  raw: Record<string, unknown>,
  id: string,
  previous: SandboxView | undefined,
  rootId: string | undefined,
): Record<string, unknown> {
  return {
    id,
    team_id: SANDBOX_TEAM.id,
    type: raw.type,
    title: raw.title,
    submit: raw.submit ?? null,
    close: raw.close ?? null,
    blocks: raw.blocks ?? [],
    private_metadata: raw.private_metadata ?? '',
    callback_id: raw.callback_id ?? '',
    external_id: raw.external_id ?? '',
    state: { values: {} },
    hash: `${Math.floor(Date.now() / 1000)}.${randomUUID().slice(0, 8)}`,
    clear_on_close: raw.clear_on_close === true,
    notify_on_close: raw.notify_on_close === true,
    root_view_id: rootId ?? id,
    previous_view_id: previous?.id ?? null,
    app_id: SANDBOX_BOT.appId,
    app_installed_team_id: SANDBOX_TEAM.id,
    bot_id: SANDBOX_BOT.botId,
  };
}

function viewArg(args: ApiArgs): Record<string, unknown> {
  const raw = json(args, 'view');
  if (raw === undefined)
    throw new SlackApiError('invalid_arguments', {
      response_metadata: { messages: ['[ERROR] missing required field: view'] },
    });
  const errors = validateView(raw);
  if (errors.length) throw new SlackApiError('invalid_arguments', { response_metadata: { messages: errors } });
  return raw as Record<string, unknown>;
}

function paginate<T>(items: T[], args: ApiArgs, defaultLimit: number): { page: T[]; next: string } {
  const limit = Math.min(Math.max(Number(str(args, 'limit') ?? defaultLimit) || defaultLimit, 1), 1000);
  const cursor = str(args, 'cursor');
  const start = cursor
    ? Number(
        Buffer.from(cursor, 'base64')
          .toString('utf8')
          .replace(/^offset:/, ''),
      ) || 0
    : 0;
  const page = items.slice(start, start + limit);
  const next = start + limit < items.length ? Buffer.from(`offset:${start + limit}`).toString('base64') : '';
  return { page, next };
}

export const METHODS: Record<string, Method> = {
  'api.test': (args) => {
    const { token: _token, ...echo } = args;
    return { args: echo };
  },

  'auth.test': () => ({
    url: `https://${SANDBOX_TEAM.domain}.slack.com/`,
    team: SANDBOX_TEAM.name,
    user: SANDBOX_BOT.name,
    team_id: SANDBOX_TEAM.id,
    user_id: BOT,
    bot_id: SANDBOX_BOT.botId,
    is_enterprise_install: false,
  }),

  'chat.postMessage': (args, ctx) => {
    const channel = channelArg(args, ctx);
    if (channel.is_archived) throw new SlackApiError('is_archived');
    requireBotAccess(channel);
    const text = str(args, 'text') ?? '';
    const blocks = messageBlocksArg(args);
    const attachments = json(args, 'attachments');
    if (!text && !blocks?.length && !(Array.isArray(attachments) && attachments.length))
      throw new SlackApiError('no_text');
    if (text.length > 40_000) throw new SlackApiError('msg_too_long');
    const wait = ctx.limiter.take(channel.id);
    if (wait !== undefined) throw new SlackApiError('ratelimited', {}, wait);
    const threadTs = str(args, 'thread_ts');
    const metadata = metadataArg(args);
    const msg = ctx.state.addMessage({
      channel: channel.id,
      text,
      blocks,
      ...(metadata ? { metadata } : {}),
      user: BOT,
      bot_id: SANDBOX_BOT.botId,
      app_id: SANDBOX_BOT.appId,
      thread_ts: threadTs ? threadParent(ctx.state, channel.id, threadTs) : undefined,
      reply_broadcast: threadTs && bool(args, 'reply_broadcast') ? true : undefined,
    });
    return { channel: channel.id, ts: msg.ts, message: messageView(msg, ctx) };
  },

  'chat.update': (args, ctx) => {
    const channel = channelArg(args, ctx);
    const ts = str(args, 'ts');
    const msg = ts ? ctx.state.message(channel.id, ts) : undefined;
    if (!msg) throw new SlackApiError('message_not_found');
    if (msg.bot_id !== SANDBOX_BOT.botId) throw new SlackApiError('cant_update_message');
    const text = str(args, 'text');
    const blocks = messageBlocksArg(args);
    if (text !== undefined && text.length > 40_000) throw new SlackApiError('msg_too_long');
    if (text === undefined && blocks === undefined && args.attachments === undefined)
      throw new SlackApiError('no_text');
    const metadata = metadataArg(args);
    const updated = ctx.state.updateMessage(
      channel.id,
      msg.ts,
      { text, blocks, ...(metadata ? { metadata } : {}) },
      BOT,
    )!;
    return { channel: channel.id, ts: updated.ts, text: updated.text, message: messageView(updated, ctx) };
  },

  'chat.delete': (args, ctx) => {
    const channel = channelArg(args, ctx);
    const ts = str(args, 'ts');
    const msg = ts ? ctx.state.message(channel.id, ts) : undefined;
    if (!msg) throw new SlackApiError('message_not_found');
    if (msg.bot_id !== SANDBOX_BOT.botId) throw new SlackApiError('cant_delete_message');
    ctx.state.deleteMessage(channel.id, msg.ts);
    return { channel: channel.id, ts: msg.ts };
  },

  'chat.postEphemeral': (args, ctx) => {
    const channel = channelArg(args, ctx);
    const user = str(args, 'user');
    if (!user || !ctx.state.user(user)) throw new SlackApiError('user_not_found');
    if (!channel.members.includes(user)) throw new SlackApiError('user_not_in_channel');
    const text = str(args, 'text') ?? '';
    const blocks = blocksArg(args);
    if (!text && !blocks?.length) throw new SlackApiError('no_text');
    const threadTs = str(args, 'thread_ts');
    const e = ctx.state.addEphemeral({ channel: channel.id, user, text, blocks, thread_ts: threadTs });
    return { message_ts: e.ts };
  },

  'chat.getPermalink': (args, ctx) => {
    const channel = channelArg(args, ctx);
    const ts = str(args, 'message_ts');
    if (!ts || !ctx.state.message(channel.id, ts)) throw new SlackApiError('message_not_found');
    return { channel: channel.id, permalink: `${ctx.consoleUrl}/archives/${channel.id}/p${ts.replace('.', '')}` };
  },

  'conversations.create': (args, ctx) => {
    const name = str(args, 'name');
    if (!name) throw new SlackApiError('invalid_name_required');
    if (name.length > 80) throw new SlackApiError('invalid_name_maxlength');
    if (!/^[a-z0-9_-]+$/.test(name)) throw new SlackApiError('invalid_name_specials');
    if (ctx.state.channelByName(name)) throw new SlackApiError('name_taken');
    const channel = ctx.state.createChannel(name, BOT, bool(args, 'is_private'));
    return { channel: channelView(channel) };
  },

  'conversations.invite': (args, ctx) => {
    const channel = channelArg(args, ctx);
    if (channel.is_im) throw new SlackApiError('method_not_supported_for_channel_type');
    requireBotMember(channel);
    const users = list(args, 'users');
    if (!users.length) throw new SlackApiError('no_user');
    const failures: { user: string; ok: false; error: string }[] = [];
    const toAdd: string[] = [];
    for (const u of [...new Set(users)]) {
      if (u === BOT) failures.push({ user: u, ok: false, error: 'cant_invite_self' });
      else if (!ctx.state.user(u)) failures.push({ user: u, ok: false, error: 'user_not_found' });
      else if (channel.members.includes(u)) failures.push({ user: u, ok: false, error: 'already_in_channel' });
      else toAdd.push(u);
    }
    // Like Slack: any failure invites nobody unless force=true, which invites the valid ones.
    if (failures.length && !bool(args, 'force')) throw new SlackApiError(failures[0]!.error, { errors: failures });
    for (const u of toAdd) {
      channel.members.push(u);
      ctx.state.addMessage({
        channel: channel.id,
        user: u,
        text: `<@${u}> has joined the channel`,
        subtype: 'channel_join',
      });
    }
    ctx.state.changed({ kind: 'channel', channel: channel.id });
    return failures.length ? { channel: channelView(channel), errors: failures } : { channel: channelView(channel) };
  },

  'conversations.join': (args, ctx) => {
    const channel = channelArg(args, ctx);
    if (channel.is_im || channel.is_private) throw new SlackApiError('method_not_supported_for_channel_type');
    if (!channel.members.includes(BOT)) {
      channel.members.push(BOT);
      ctx.state.addMessage({
        channel: channel.id,
        user: BOT,
        text: `<@${BOT}> has joined the channel`,
        subtype: 'channel_join',
      });
    }
    return { channel: channelView(channel) };
  },

  'conversations.setTopic': (args, ctx) => {
    const channel = channelArg(args, ctx);
    if (!channel.is_im) requireBotMember(channel);
    const topic = str(args, 'topic') ?? '';
    if (topic.length > 250) throw new SlackApiError('too_long');
    channel.topic = { value: topic, creator: BOT, last_set: Math.floor(Date.now() / 1000) };
    ctx.state.addMessage({
      channel: channel.id,
      user: BOT,
      text: `set the channel topic: ${topic}`,
      subtype: 'channel_topic',
    });
    return { channel: channelView(channel) };
  },

  'conversations.setPurpose': (args, ctx) => {
    const channel = channelArg(args, ctx);
    requireBotMember(channel);
    const purpose = str(args, 'purpose') ?? '';
    if (purpose.length > 250) throw new SlackApiError('too_long');
    channel.purpose = { value: purpose, creator: BOT, last_set: Math.floor(Date.now() / 1000) };
    ctx.state.changed({ kind: 'channel', channel: channel.id });
    return { channel: channelView(channel) };
  },

  'conversations.info': (args, ctx) => ({ channel: channelView(channelArg(args, ctx)) }),

  'conversations.members': (args, ctx) => {
    const channel = channelArg(args, ctx);
    const { page, next } = paginate(channel.members, args, 100);
    return { members: page, response_metadata: { next_cursor: next } };
  },

  'conversations.list': (args, ctx) => {
    const types = list(args, 'types');
    const wanted = types.length ? types : ['public_channel'];
    const all = [...ctx.state.channels.values()].filter(
      (c) =>
        (c.is_im
          ? wanted.includes('im')
          : c.is_private
            ? wanted.includes('private_channel') && c.members.includes(BOT)
            : wanted.includes('public_channel')) && !(bool(args, 'exclude_archived') && c.is_archived),
    );
    const { page, next } = paginate(all, args, 100);
    return { channels: page.map(channelView), response_metadata: { next_cursor: next } };
  },

  'conversations.history': (args, ctx) => {
    const channel = channelArg(args, ctx);
    requireBotAccess(channel);
    const latest = str(args, 'latest');
    const oldest = str(args, 'oldest');
    const inclusive = bool(args, 'inclusive');
    const msgs = ctx.state
      .topLevel(channel.id)
      .filter(
        (m) => latest === undefined || (inclusive ? Number(m.ts) <= Number(latest) : Number(m.ts) < Number(latest)),
      )
      .filter(
        (m) => oldest === undefined || (inclusive ? Number(m.ts) >= Number(oldest) : Number(m.ts) > Number(oldest)),
      )
      .reverse();
    const { page, next } = paginate(msgs, args, 100);
    // Like Slack: a message's metadata comes back only when asked for.
    const withMetadata = bool(args, 'include_all_metadata');
    return {
      messages: page.map((m) => {
        const view = messageView(m, ctx);
        if (!withMetadata) delete view.metadata;
        return view;
      }),
      has_more: next !== '',
      pin_count: 0,
      response_metadata: { next_cursor: next },
    };
  },

  'conversations.replies': (args, ctx) => {
    const channel = channelArg(args, ctx);
    requireBotAccess(channel);
    const ts = str(args, 'ts');
    const thread = ts ? ctx.state.thread(channel.id, ts) : [];
    if (!thread.length) throw new SlackApiError('thread_not_found');
    const { page, next } = paginate(thread, args, 1000);
    return {
      messages: page.map((m) => messageView(m, ctx)),
      has_more: next !== '',
      response_metadata: { next_cursor: next },
    };
  },

  'conversations.open': (args, ctx) => {
    const existing = str(args, 'channel');
    if (existing) {
      const c = ctx.state.channels.get(existing);
      if (!c) throw new SlackApiError('channel_not_found');
      return { channel: bool(args, 'return_im') ? channelView(c) : { id: c.id } };
    }
    const users = list(args, 'users');
    if (!users.length) throw new SlackApiError('users_list_not_supplied');
    if (users.length > 1)
      throw new SlackApiError('not_implemented', { detail: 'group DMs are not part of the local workspace' });
    if (!ctx.state.user(users[0]!)) throw new SlackApiError('user_not_found');
    const dm = ctx.state.openDm(users[0]!);
    return { channel: bool(args, 'return_im') ? channelView(dm) : { id: dm.id } };
  },

  'users.info': (args, ctx) => {
    const id = str(args, 'user');
    if (id === BOT) return { user: userView('bot') };
    const u = id ? ctx.state.user(id) : undefined;
    if (!u) throw new SlackApiError('user_not_found');
    return { user: userView(u) };
  },

  'users.lookupByEmail': (args, ctx) => {
    const email = str(args, 'email')?.toLowerCase();
    const u = ctx.state.users.find((x) => x.email.toLowerCase() === email);
    if (!u) throw new SlackApiError('users_not_found');
    return { user: userView(u) };
  },

  'users.list': (args, ctx) => {
    const all = [userView('bot'), ...ctx.state.users.map(userView)];
    const { page, next } = paginate(all, args, 200);
    return { members: page, cache_ts: Math.floor(Date.now() / 1000), response_metadata: { next_cursor: next } };
  },

  'usergroups.list': (_args, ctx) => ({
    usergroups: ctx.state.usergroups.map((g) => ({
      id: g.id,
      team_id: SANDBOX_TEAM.id,
      handle: g.handle,
      name: g.name,
      user_count: g.users.length,
      users: g.users,
    })),
  }),

  'usergroups.users.list': (args, ctx) => {
    const g = ctx.state.usergroups.find((x) => x.id === str(args, 'usergroup'));
    if (!g) throw new SlackApiError('no_such_subteam');
    return { users: [...g.users] };
  },

  'views.open': (args, ctx) => {
    const trigger = ctx.interactions.exchangeTrigger(str(args, 'trigger_id'));
    const raw = viewArg(args);
    const id = newSlackId('V');
    const view: SandboxView = { id, user: trigger.user, view: buildView(raw, id, undefined, undefined) };
    ctx.state.pushView(view, true);
    return { view: view.view };
  },

  'views.push': (args, ctx) => {
    const trigger = ctx.interactions.exchangeTrigger(str(args, 'trigger_id'));
    const raw = viewArg(args);
    const stack = ctx.state.viewStacks.get(trigger.user) ?? [];
    if (stack.length >= 3) throw new SlackApiError('push_limit_reached');
    const previous = ctx.state.topView(trigger.user);
    const id = newSlackId('V');
    const view: SandboxView = {
      id,
      user: trigger.user,
      view: buildView(raw, id, previous, previous ? String(previous.view.root_view_id) : undefined),
    };
    ctx.state.pushView(view, stack.length === 0);
    return { view: view.view };
  },

  'views.update': (args, ctx) => {
    const viewId = str(args, 'view_id');
    const externalId = str(args, 'external_id');
    if (!viewId && !externalId)
      throw new SlackApiError('invalid_arguments', {
        response_metadata: { messages: ['[ERROR] view_id or external_id is required'] },
      });
    const existing = viewId
      ? ctx.state.views.get(viewId)
      : [...ctx.state.views.values()].find((v) => v.view.external_id === externalId);
    if (!existing) throw new SlackApiError('not_found');
    const hash = str(args, 'hash');
    if (hash && hash !== existing.view.hash) throw new SlackApiError('hash_conflict');
    const raw = viewArg(args);
    const previousId = existing.view.previous_view_id;
    existing.view = {
      ...buildView(raw, existing.id, undefined, String(existing.view.root_view_id)),
      previous_view_id: previousId,
    };
    existing.errors = undefined;
    ctx.state.changed({ kind: 'view', user: existing.user });
    return { view: existing.view };
  },

  'files.getUploadURLExternal': (args, ctx) => {
    const filename = str(args, 'filename');
    const length = Number(str(args, 'length'));
    if (!filename || !Number.isInteger(length) || length < 0)
      throw new SlackApiError('invalid_arguments', {
        response_metadata: { messages: ['[ERROR] filename and length are required'] },
      });
    const file = newFile(ctx.state, filename, undefined, length, str(args, 'alt_text'));
    return { upload_url: `${ctx.baseUrl}/upload/v1/${file.id}`, file_id: file.id };
  },

  'files.completeUploadExternal': (args, ctx) => {
    const entries = json(args, 'files');
    if (!Array.isArray(entries) || entries.length === 0)
      throw new SlackApiError('invalid_arguments', { response_metadata: { messages: ['[ERROR] files is required'] } });
    const files: SandboxFile[] = [];
    for (const e of entries as { id?: string; title?: string }[]) {
      const f = e.id ? ctx.state.files.get(e.id) : undefined;
      if (!f || !f.uploaded) throw new SlackApiError('file_not_found');
      if (e.title) f.title = e.title;
      f.completed = true;
      files.push(f);
    }
    const blocks = blocksArg(args);
    shareFiles(
      ctx,
      files,
      str(args, 'channel_id') ?? str(args, 'channels'),
      str(args, 'thread_ts'),
      str(args, 'initial_comment'),
      blocks,
    );
    ctx.state.changed({ kind: 'file' });
    return { files: files.map((f) => ({ id: f.id, title: f.title })) };
  },

  'files.info': (args, ctx) => {
    const f = ctx.state.files.get(str(args, 'file') ?? '');
    if (!f) throw new SlackApiError('file_not_found');
    return { file: fileView(f, ctx) };
  },
};

/** The legacy files.upload: content as a field or the file as a multipart part; shared into `channels`. */
export function legacyFilesUpload(
  args: ApiArgs,
  upload: { name?: string; data: Buffer } | undefined,
  ctx: ApiContext,
): Record<string, unknown> {
  const content = str(args, 'content');
  const data = upload?.data ?? (content !== undefined ? Buffer.from(content, 'utf8') : undefined);
  if (!data) throw new SlackApiError('no_file_data');
  const name = str(args, 'filename') ?? upload?.name ?? 'file.txt';
  const file = newFile(ctx.state, name, str(args, 'title'), data.length);
  ctx.state.fileContents.set(file.id, data);
  file.uploaded = true;
  file.completed = true;
  const channels = list(args, 'channels');
  for (const c of channels) shareFiles(ctx, [file], c, str(args, 'thread_ts'), str(args, 'initial_comment'));
  ctx.state.changed({ kind: 'file' });
  return { file: fileView(file, ctx) };
}

/** Stores the bytes POSTed to an upload_url. */
export function receiveUpload(state: WorkspaceState, fileId: string, data: Buffer): boolean {
  const f = state.files.get(fileId);
  if (!f || f.uploaded) return false;
  state.fileContents.set(f.id, data);
  f.size = data.length;
  f.uploaded = true;
  state.changed({ kind: 'file' });
  return true;
}

/** Runs one method; unknown methods answer unknown_method like Slack. */
export function callMethod(method: string, args: ApiArgs, ctx: ApiContext): Record<string, unknown> {
  const fn = Object.prototype.hasOwnProperty.call(METHODS, method) ? METHODS[method] : undefined;
  if (!fn) throw new SlackApiError('unknown_method');
  return fn(args, ctx);
}
