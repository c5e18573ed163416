// The web console's server side: the page, its state rendered to HTML per person, live updates, and people's actions.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from '../../src/logger.js';
import type { SlackSandbox } from '../slack/slack-sandbox.js';
import { SANDBOX_BOT } from '../slack/roster.js';
import { encodeTypedText } from '../slack/deliver.js';
import type { SandboxChannel, SandboxEphemeral, SandboxMessage } from '../slack/workspace-state.js';
import { escapeHtml, mrkdwnToHtml, type NameLookup } from './mrkdwn.js';
import { renderBlocks, renderModal, type RenderContext } from './render.js';

const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));
const STATIC_FILES: Record<string, string> = { 'app.js': 'text/javascript', 'style.css': 'text/css' };

export interface ConsoleOptions {
  sandbox: SlackSandbox;
  /** The app's base URL, where people's actions are delivered. */
  appBaseUrl: () => string;
  logger: Logger;
}

type ChannelKind = 'incident' | 'team' | 'dm';

function channelKind(c: SandboxChannel): ChannelKind {
  if (c.is_im) return 'dm';
  return c.creator === SANDBOX_BOT.userId ? 'incident' : 'team';
}

function formatTime(ts: string): string {
  return new Date(Number(ts) * 1000).toISOString().slice(11, 19);
}

/** The console: its router (GET /, GET /sandbox/console/..., POST /sandbox/console/api/...) and a way to end live streams. */
export interface ConsoleHandle {
  router: Router;
  /** Ends open server-sent event streams, so that the server's graceful close need not wait for browsers. */
  closeStreams(): void;
}

/** The workspace's people and channels by id, for mentions and names on the console's pages. */
export function workspaceNames(state: SlackSandbox['state']): NameLookup {
  return {
    userName: (id) => (id === SANDBOX_BOT.userId ? SANDBOX_BOT.name : state.user(id)?.realName),
    channelName: (id) => state.channels.get(id)?.name,
  };
}

export function createConsole(opts: ConsoleOptions): ConsoleHandle {
  const { sandbox, logger } = opts;
  const streams = new Set<Response>();
  const state = sandbox.state;
  const router = express.Router();
  const names = workspaceNames(state);
  const people = state.users.map((u) => ({ id: u.id, name: `${u.realName} (${u.title})` }));

  const sendIndex = (_req: Request, res: Response) => {
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data: http: https:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
    );
    res.type('html').send(readFileSync(`${STATIC_DIR}index.html`, 'utf8'));
  };
  router.get('/', sendIndex);
  router.get('/archives/{*rest}', sendIndex);
  router.get('/incidents', sendIndex);
  router.get('/incidents/{*rest}', sendIndex);
  // Browsers ask for it on every page load; there is no icon, and a 404 there only fills the network log.
  router.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  router.get('/sandbox/console/static/:file', (req, res) => {
    const file = String(req.params.file);
    const type = STATIC_FILES[file];
    if (!type) {
      res.status(404).end();
      return;
    }
    res.type(type).send(readFileSync(`${STATIC_DIR}${file}`, 'utf8'));
  });

  // Ephemerals and bot messages are the app's; anything else is a person's.
  const author = (m: SandboxMessage | SandboxEphemeral): string =>
    'type' in m && !m.bot_id
      ? escapeHtml(names.userName(m.user ?? '') ?? m.user ?? 'unknown')
      : `${SANDBOX_BOT.name}<span class="app-badge">APP</span>`;

  const renderFiles = (m: SandboxMessage): string =>
    (m.files ?? [])
      .map((id) => state.files.get(id))
      .filter((f) => f !== undefined)
      .map((f) => {
        const url = `/sandbox/slack/files/${encodeURIComponent(f.id)}/${encodeURIComponent(f.name)}`;
        return f.mimetype.startsWith('image/') && f.mimetype !== 'image/svg+xml'
          ? `<figure class="sb-file"><figcaption>${escapeHtml(f.title)}</figcaption><img src="${escapeHtml(url)}" alt="${escapeHtml(f.alt_text ?? f.title)}"></figure>`
          : `<div class="sb-file"><a href="${escapeHtml(url)}" target="_blank" rel="noopener">${escapeHtml(f.title)}</a> <span class="muted">${escapeHtml(f.filetype)}, ${f.size} bytes</span></div>`;
      })
      .join('');

  const renderMessage = (m: SandboxMessage | SandboxEphemeral, inThread: boolean): string => {
    const ctx: RenderContext = { names, people, channel: m.channel, ts: m.ts };
    const ephemeral = !('type' in m);
    const msg = ephemeral ? undefined : (m as SandboxMessage);
    if (msg?.subtype === 'channel_join' || msg?.subtype === 'channel_topic') {
      return `<div class="msg system" data-ts="${escapeHtml(m.ts)}"><span class="time">${formatTime(m.ts)}</span> <b>${escapeHtml(names.userName(msg.user ?? '') ?? '')}</b> ${mrkdwnToHtml(msg.subtype === 'channel_join' ? 'joined the channel' : msg.text, names)}</div>`;
    }
    const body = m.blocks?.length
      ? renderBlocks(m.blocks, ctx)
      : `<div class="sb-text">${mrkdwnToHtml(m.text, names)}</div>`;
    const files = msg ? renderFiles(msg) : '';
    const edited = msg?.edited ? ' <span class="muted">(edited)</span>' : '';
    const replies =
      !inThread && msg?.reply_count
        ? `<a href="#" class="replies" data-thread="${escapeHtml(msg.ts)}">${msg.reply_count} ${msg.reply_count === 1 ? 'reply' : 'replies'}</a>`
        : !inThread && msg
          ? `<a href="#" class="reply-link" data-thread="${escapeHtml(msg.ts)}">Reply in thread</a>`
          : '';
    const eph = ephemeral ? '<div class="eph-note">Only visible to you</div>' : '';
    return `<div class="msg${ephemeral ? ' ephemeral' : ''}" data-ts="${escapeHtml(m.ts)}">${eph}<div class="meta"><span class="author">${author(m)}</span> <span class="time">${formatTime(m.ts)}</span>${edited}</div>${body}${files}${replies}</div>`;
  };

  const byTs = (a: { ts: string }, b: { ts: string }) => Number(a.ts) - Number(b.ts);

  router.get('/sandbox/console/api/state', (req, res) => {
    const as = typeof req.query.as === 'string' ? req.query.as : '';
    const me = state.user(as) ?? state.users[0]!;
    const visible = [...state.channels.values()].filter((c) =>
      c.is_im ? c.user === me.id : !c.is_private || c.members.includes(me.id),
    );
    const channels = visible
      .map((c) => ({
        id: c.id,
        name: c.is_im ? `${SANDBOX_BOT.name}` : c.name,
        kind: channelKind(c),
        member: c.members.includes(me.id),
        count: state.topLevel(c.id).length,
      }))
      .sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
    const requested = typeof req.query.channel === 'string' ? state.channels.get(req.query.channel) : undefined;
    const channel =
      requested && visible.includes(requested) ? requested : (visible.find((c) => c.name === 'alerts') ?? visible[0]);
    let messagesHtml = '';
    let threadHtml = '';
    let channelInfo: Record<string, unknown> | undefined;
    if (channel) {
      const ephemerals = state.ephemerals.filter((e) => e.channel === channel.id && e.user === me.id);
      const top = [...state.topLevel(channel.id), ...ephemerals.filter((e) => !e.thread_ts)].sort(byTs);
      messagesHtml = top.map((m) => renderMessage(m, false)).join('');
      const threadTs = typeof req.query.thread === 'string' ? req.query.thread : undefined;
      if (threadTs && state.message(channel.id, threadTs)) {
        const thread = [
          ...state.thread(channel.id, threadTs),
          ...ephemerals.filter((e) => e.thread_ts === threadTs),
        ].sort(byTs);
        threadHtml = thread.map((m) => renderMessage(m, true)).join('');
      }
      channelInfo = {
        id: channel.id,
        name: channel.is_im ? `${SANDBOX_BOT.name} (direct message)` : channel.name,
        kind: channelKind(channel),
        topicHtml: mrkdwnToHtml(channel.topic.value, names),
        members: channel.members.map((id) => names.userName(id) ?? id),
        member: channel.members.includes(me.id),
      };
    }
    const top = state.topView(me.id);
    const modalHtml = top ? renderModal(top.view, { names, people, viewId: top.id, errors: top.errors }) : '';
    res.json({
      me: { id: me.id, name: me.realName, title: me.title },
      roster: state.users.map((u) => ({ id: u.id, name: u.realName, title: u.title })),
      channels,
      channel: channelInfo,
      messagesHtml,
      threadHtml,
      modalHtml,
      deliveries: sandbox.deliver.log
        .slice(-5)
        .map((d) => ({ kind: d.kind, status: d.status, ms: d.ms, error: d.error })),
    });
  });

  // Server-sent events: the page re-reads its state when something changed.
  router.get('/sandbox/console/api/events', (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    const off = state.onChange((change) => {
      res.write(`data: ${JSON.stringify(change)}\n\n`);
    });
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    streams.add(res);
    req.on('close', () => {
      off();
      clearInterval(ping);
      streams.delete(res);
    });
  });

  const json = express.json({ limit: '1mb' });
  const act =
    (fn: (body: Record<string, unknown>, as: string) => Promise<unknown>) => (req: Request, res: Response) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const as = typeof body.as === 'string' ? body.as : '';
      if (!state.user(as)) {
        res.status(400).json({ ok: false, error: 'unknown user' });
        return;
      }
      fn(body, as).then(
        (result) => res.json({ ok: true, result }),
        (err: unknown) => {
          logger.warn({ err }, 'console action failed');
          res.status(400).json({ ok: false, error: err instanceof Error ? err.message : String(err) });
        },
      );
    };
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

  router.post(
    '/sandbox/console/api/click',
    json,
    act((b, as) =>
      sandbox.deliver.clickButton(opts.appBaseUrl(), {
        user: as,
        actionId: typeof b.actionId === 'string' ? b.actionId : '',
        channel: str(b.channel),
        ts: str(b.ts),
        viewId: str(b.viewId),
        value: str(b.value),
        selected: str(b.selected),
      }),
    ),
  );

  router.post(
    '/sandbox/console/api/send',
    json,
    act(async (b, as) => {
      const text = (typeof b.text === 'string' ? b.text : '').trim();
      const channel = typeof b.channel === 'string' ? b.channel : '';
      if (!text) throw new Error('nothing to send');
      const cmd = /^(\/[\w-]+)(?:\s+([\s\S]*))?$/.exec(text);
      if (cmd)
        return sandbox.deliver.slashCommand(opts.appBaseUrl(), {
          user: as,
          channel,
          command: cmd[1]!,
          text: encodeTypedText(cmd[2] ?? '', state, true),
        });
      const chan = state.channels.get(channel);
      if (chan && !chan.is_im && !chan.members.includes(as)) {
        chan.members.push(as);
        state.addMessage({ channel, user: as, text: `<@${as}> has joined the channel`, subtype: 'channel_join' });
      }
      return sandbox.deliver.sendMessage(opts.appBaseUrl(), {
        user: as,
        channel,
        text: encodeTypedText(text, state),
        threadTs: str(b.threadTs),
      });
    }),
  );

  router.post(
    '/sandbox/console/api/submit',
    json,
    act((b, as) =>
      sandbox.deliver.submitView(opts.appBaseUrl(), {
        user: as,
        viewId: str(b.viewId),
        values: (b.values ?? {}) as Record<string, Record<string, string | string[]>>,
      }),
    ),
  );

  router.post(
    '/sandbox/console/api/close',
    json,
    act((_b, as) => sandbox.deliver.closeView(opts.appBaseUrl(), as)),
  );

  router.post(
    '/sandbox/console/api/join',
    json,
    act(async (b, as) => {
      const chan = state.channels.get(typeof b.channel === 'string' ? b.channel : '');
      if (!chan || chan.is_im) throw new Error('no such channel');
      if (!chan.members.includes(as)) {
        chan.members.push(as);
        state.addMessage({
          channel: chan.id,
          user: as,
          text: `<@${as}> has joined the channel`,
          subtype: 'channel_join',
        });
      }
      return { joined: chan.id };
    }),
  );

  return {
    router,
    closeStreams() {
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
