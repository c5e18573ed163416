// Delivers what people do to the app the way Slack does: signed block_actions, view_submission, slash commands, events.
import { setKeepingAtMost } from '../../lib/bounded-map.js';
import { randomUUID } from 'node:crypto';
import { signSlackRequest } from './signing.js';
import { validateBlocks, validateView } from './block-kit.js';
import { SANDBOX_BOT, SANDBOX_TEAM } from './roster.js';
import { newSlackId, type Block, type SandboxView, type WorkspaceState } from './workspace-state.js';
import type { Interactions, ResponseTarget } from './interactions.js';

/** One delivery to the app and how it answered. */
export interface DeliveryResult {
  kind: string;
  status: number;
  body: string;
  ms: number;
  /** Set when the request failed or took longer than Slack's 3 seconds. */
  error?: string;
}

export interface ClickArgs {
  user: string;
  actionId: string;
  /** The message the element is in (a channel message or one of the user's ephemerals)... */
  channel?: string;
  ts?: string;
  /** ...or the open modal it is in. */
  viewId?: string;
  /** Overrides the button's value. */
  value?: string;
  /** For menus: the chosen option's value (static_select, overflow, radio) or user id (users_select). */
  selected?: string;
}

export interface SubmitViewArgs {
  user: string;
  /** Defaults to the user's top modal. */
  viewId?: string;
  /** By block_id, then action_id: the text typed, the option value chosen or the user id picked. */
  values?: Record<string, Record<string, string | string[] | undefined>>;
}

export interface SlashCommandArgs {
  user: string;
  channel: string;
  command: string;
  text?: string;
}

export interface SendMessageArgs {
  user: string;
  channel: string;
  text: string;
  threadTs?: string;
}

export interface DelivererOptions {
  state: WorkspaceState;
  interactions: Interactions;
  signingSecret: string;
  /** Public base URL of the Slack router (…/sandbox/slack), for response URLs. */
  baseUrl: () => string;
  /** Slack gives up on an app after 3 seconds. */
  ackTimeoutMs?: number;
  /**
   * Delays of Slack's automatic retries of an Events API delivery that failed or timed out (Slack: immediately,
   * after 1 minute, after 5 minutes). Empty (the default) means no automatic retries.
   */
  eventRetryDelaysMs?: number[];
  /** The time deliveries are signed with (unix ms); default the real time. */
  now?: () => number;
}

type Json = Record<string, unknown>;

const INPUT_VALUE_TYPES = new Set(['plain_text_input', 'email_text_input', 'url_text_input', 'number_input']);

/**
 * Turns what a person typed into the text Slack sends: &, < and > escaped, and @handle / #channel into mentions
 * (<@U…> and <#C…|name>; slash commands get <@U…|handle>, as with should_escape in manifest.yml).
 */
export function encodeTypedText(typed: string, state: WorkspaceState, forCommand = false): string {
  const escaped = typed.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return escaped
    .replace(/(^|\s)@([a-z0-9._-]+)/gi, (m, pre: string, handle: string) => {
      if (handle.toLowerCase() === SANDBOX_BOT.name || handle.toLowerCase() === 'copilot')
        return `${pre}<@${SANDBOX_BOT.userId}${forCommand ? `|${SANDBOX_BOT.name}` : ''}>`;
      const u = state.users.find(
        (x) => x.name.toLowerCase() === handle.toLowerCase() || x.realName.toLowerCase() === handle.toLowerCase(),
      );
      if (!u) return m;
      return `${pre}<@${u.id}${forCommand ? `|${u.name}` : ''}>`;
    })
    .replace(/(^|\s)#([a-z0-9_-]+)/gi, (m, pre: string, name: string) => {
      const c = state.channelByName(name.toLowerCase());
      return c ? `${pre}<#${c.id}|${c.name}>` : m;
    });
}

/** Appends /slack/events to a bare base URL. */
export function eventsUrl(appUrl: string): string {
  const trimmed = appUrl.replace(/\/+$/, '');
  return /\/slack\/events$/.test(trimmed) ? trimmed : `${trimmed}/slack/events`;
}

/** Plays the part of Slack's servers towards one app. */
export class SlackDeliverer {
  /** The most recent deliveries, newest last, for the console and for tests. */
  readonly log: DeliveryResult[] = [];
  private readonly events = new Map<string, Json>();
  private readonly ackTimeoutMs: number;
  private readonly retryTimers = new Set<NodeJS.Timeout>();

  constructor(private readonly opts: DelivererOptions) {
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 3000;
  }

  /** Cancels pending automatic retries. */
  stop(): void {
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
  }

  /** Retries a failed event delivery on Slack's schedule, with X-Slack-Retry-Num and X-Slack-Retry-Reason. */
  private scheduleRetry(appUrl: string, eventId: string, failed: DeliveryResult, attempt: number): void {
    const delays = this.opts.eventRetryDelaysMs ?? [];
    if (attempt > delays.length) return;
    const timer = setTimeout(
      () => {
        this.retryTimers.delete(timer);
        const reason = failed.error === 'operation_timeout' ? 'http_timeout' : 'http_error';
        void this.redeliverEvent(appUrl, eventId, attempt, reason).then(
          (result) => {
            if (result.error) this.scheduleRetry(appUrl, eventId, result, attempt + 1);
          },
          () => undefined,
        );
      },
      delays[attempt - 1],
    );
    timer.unref();
    this.retryTimers.add(timer);
  }

  private get state(): WorkspaceState {
    return this.opts.state;
  }

  /** Signs and POSTs a body to the app's /slack/events. */
  async post(
    appUrl: string,
    kind: string,
    body: string,
    contentType: string,
    headers: Record<string, string> = {},
  ): Promise<DeliveryResult> {
    const started = Date.now();
    let result: DeliveryResult;
    try {
      const res = await fetch(eventsUrl(appUrl), {
        method: 'POST',
        headers: {
          'Content-Type': contentType,
          ...signSlackRequest(this.opts.signingSecret, body, Math.floor((this.opts.now ?? Date.now)() / 1000)),
          ...headers,
        },
        body,
        // Slack itself waits 3 s; a little longer here so a slow ack is reported as slow rather than lost.
        signal: AbortSignal.timeout(this.ackTimeoutMs + 7000),
      });
      const text = await res.text();
      const ms = Date.now() - started;
      result = { kind, status: res.status, body: text, ms };
      if (res.status !== 200) result.error = 'http_service_error';
      else if (ms > this.ackTimeoutMs) result.error = 'operation_timeout';
    } catch (err) {
      result = {
        kind,
        status: 0,
        body: '',
        ms: Date.now() - started,
        error: err instanceof Error && err.name === 'TimeoutError' ? 'operation_timeout' : 'dispatch_failed',
      };
    }
    this.log.push(result);
    if (this.log.length > 100) this.log.shift();
    this.state.changed({ kind: 'view' });
    return result;
  }

  private userObject(user: string): Json {
    const u = this.state.user(user);
    if (!u) throw new Error(`unknown user ${user}`);
    return { id: u.id, username: u.name, name: u.name, team_id: SANDBOX_TEAM.id };
  }

  private responseUrl(target: ResponseTarget): string {
    return this.opts.interactions.issueResponseUrl(this.opts.baseUrl(), target);
  }

  /** Clicks a button or picks from a menu in a message or modal; fails when no such element is there. */
  async clickButton(appUrl: string, a: ClickArgs): Promise<DeliveryResult> {
    const { state } = this;
    let blocks: Block[] | undefined;
    let container: Json;
    let extra: Json;
    if (a.viewId) {
      const view = state.views.get(a.viewId);
      if (!view || view.user !== a.user) throw new Error(`no open modal ${a.viewId} for ${a.user}`);
      blocks = view.view.blocks as Block[];
      container = { type: 'view', view_id: view.id };
      extra = { view: { ...view.view, state: { values: {} } } };
    } else {
      if (!a.channel || !a.ts) throw new Error('clickButton needs channel and ts, or viewId');
      const channel = state.channels.get(a.channel);
      if (!channel) throw new Error(`no channel ${a.channel}`);
      const msg = state.message(a.channel, a.ts);
      const eph = msg
        ? undefined
        : state.ephemerals.find((e) => e.channel === a.channel && e.ts === a.ts && e.user === a.user);
      if (!msg && !eph) throw new Error(`no message ${a.ts} in ${a.channel} visible to ${a.user}`);
      blocks = msg ? msg.blocks : eph!.blocks;
      // Only a reply is in a thread; a parent carries thread_ts equal to its own ts once it has replies.
      const threadTs = msg ? (msg.thread_ts && msg.thread_ts !== msg.ts ? msg.thread_ts : undefined) : eph?.thread_ts;
      container = { type: 'message', message_ts: a.ts, channel_id: a.channel, is_ephemeral: !msg, thread_ts: threadTs };
      extra = {
        channel: { id: channel.id, name: channel.is_im ? 'directmessage' : channel.name },
        message: msg ? { ...msg, channel: undefined, team: SANDBOX_TEAM.id } : undefined,
        response_url: this.responseUrl({
          channel: a.channel,
          user: a.user,
          messageTs: a.ts,
          ephemeral: !msg,
          threadTs,
        }),
      };
    }
    const found = findElement(blocks ?? [], a.actionId);
    if (!found) throw new Error(`no element with action_id ${a.actionId}`);
    const action = buildAction(found.element, found.blockId, a);
    const payload = {
      type: 'block_actions',
      user: this.userObject(a.user),
      api_app_id: SANDBOX_BOT.appId,
      token: 'sandbox-verification-token',
      container,
      trigger_id: this.opts.interactions.issueTrigger(a.user),
      team: { id: SANDBOX_TEAM.id, domain: SANDBOX_TEAM.domain },
      enterprise: null,
      is_enterprise_install: false,
      state: { values: {} },
      actions: [action],
      ...extra,
    };
    return this.post(
      appUrl,
      'block_actions',
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      'application/x-www-form-urlencoded',
    );
  }

  /**
   * Submits a modal. Required inputs left empty stop the submission in the client, as Slack's does: the view gets
   * "Please complete this required field" errors and nothing is delivered (status 0, kind 'view_submission_blocked').
   */
  async submitView(appUrl: string, a: SubmitViewArgs): Promise<DeliveryResult> {
    const { state } = this;
    const view = a.viewId ? state.views.get(a.viewId) : state.topView(a.user);
    if (!view || view.user !== a.user) throw new Error(`no open modal for ${a.user}`);
    const { values, missing } = buildStateValues(view, a.values ?? {});
    if (missing.length) {
      view.errors = Object.fromEntries(missing.map((b) => [b, 'Please complete this required field.']));
      state.changed({ kind: 'view', user: a.user });
      return { kind: 'view_submission_blocked', status: 0, body: '', ms: 0, error: 'required_fields_missing' };
    }
    const payload = {
      type: 'view_submission',
      team: { id: SANDBOX_TEAM.id, domain: SANDBOX_TEAM.domain },
      user: this.userObject(a.user),
      api_app_id: SANDBOX_BOT.appId,
      token: 'sandbox-verification-token',
      trigger_id: this.opts.interactions.issueTrigger(a.user),
      view: { ...view.view, state: { values } },
      response_urls: [],
      enterprise: null,
      is_enterprise_install: false,
    };
    const result = await this.post(
      appUrl,
      'view_submission',
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      'application/x-www-form-urlencoded',
    );
    this.applyViewResponse(view, result);
    return result;
  }

  /** What Slack does with the app's answer to view_submission (response_action). */
  private applyViewResponse(view: SandboxView, result: DeliveryResult): void {
    const { state } = this;
    if (result.status !== 200 || result.error) {
      view.errors = { _: 'We had some trouble connecting. Try again?' };
      state.changed({ kind: 'view', user: view.user });
      return;
    }
    let body: Json;
    try {
      body = result.body.trim() ? (JSON.parse(result.body) as Json) : {};
    } catch {
      body = {};
    }
    const next = body.view as Json | undefined;
    switch (body.response_action) {
      case 'errors':
        view.errors = (body.errors as Record<string, string>) ?? {};
        state.changed({ kind: 'view', user: view.user });
        return;
      case 'update':
      case 'push':
        if (!next || validateView(next).length > 0) {
          // Slack keeps the modal open and says the app's answer was unusable.
          view.errors = { _: 'The app answered with an invalid view.' };
          state.changed({ kind: 'view', user: view.user });
        } else if (body.response_action === 'update') {
          view.view = {
            ...view.view,
            ...next,
            id: view.id,
            state: { values: {} },
            hash: `${Date.now()}.${randomUUID().slice(0, 8)}`,
          };
          view.errors = undefined;
          state.changed({ kind: 'view', user: view.user });
        } else {
          const id = newSlackId('V');
          state.pushView(
            {
              id,
              user: view.user,
              view: {
                ...next,
                id,
                state: { values: {} },
                previous_view_id: view.id,
                root_view_id: view.view.root_view_id,
                app_id: SANDBOX_BOT.appId,
              },
            },
            false,
          );
        }
        return;
      case 'clear':
        state.closeView(view.user, true);
        return;
      default:
        state.closeView(view.user);
    }
  }

  /** Closes the user's top modal, telling the app when the view asked for notify_on_close. */
  async closeView(appUrl: string, user: string): Promise<DeliveryResult | undefined> {
    const view = this.state.topView(user);
    if (!view) return undefined;
    this.state.closeView(user);
    if (view.view.notify_on_close !== true) return undefined;
    const payload = {
      type: 'view_closed',
      team: { id: SANDBOX_TEAM.id, domain: SANDBOX_TEAM.domain },
      user: this.userObject(user),
      api_app_id: SANDBOX_BOT.appId,
      view: view.view,
      is_cleared: false,
    };
    return this.post(
      appUrl,
      'view_closed',
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      'application/x-www-form-urlencoded',
    );
  }

  /** Runs a slash command and shows the app's immediate answer (ephemeral unless response_type is in_channel). */
  async slashCommand(appUrl: string, a: SlashCommandArgs): Promise<DeliveryResult> {
    const { state } = this;
    const channel = state.channels.get(a.channel);
    const user = state.user(a.user);
    if (!channel || !user) throw new Error(`unknown channel ${a.channel} or user ${a.user}`);
    const command = a.command.startsWith('/') ? a.command : `/${a.command}`;
    const form = new URLSearchParams({
      token: 'sandbox-verification-token',
      team_id: SANDBOX_TEAM.id,
      team_domain: SANDBOX_TEAM.domain,
      channel_id: channel.id,
      channel_name: channel.is_im ? 'directmessage' : channel.name,
      user_id: user.id,
      user_name: user.name,
      command,
      text: a.text ?? '',
      api_app_id: SANDBOX_BOT.appId,
      is_enterprise_install: 'false',
      response_url: this.responseUrl({ channel: channel.id, user: user.id }),
      trigger_id: this.opts.interactions.issueTrigger(user.id),
    });
    const result = await this.post(appUrl, 'slash_command', form.toString(), 'application/x-www-form-urlencoded');
    if (result.error) {
      state.addEphemeral({
        channel: channel.id,
        user: user.id,
        text: `${command} failed with the error "${result.error}"`,
      });
      return result;
    }
    const answer = parseCommandAnswer(result.body);
    if (answer) {
      if (answer.response_type === 'in_channel') {
        state.addMessage({ channel: channel.id, user: user.id, text: `${command} ${a.text ?? ''}`.trim() });
        state.addMessage({
          channel: channel.id,
          text: answer.text ?? '',
          blocks: answer.blocks,
          user: SANDBOX_BOT.userId,
          bot_id: SANDBOX_BOT.botId,
          app_id: SANDBOX_BOT.appId,
        });
      } else {
        state.addEphemeral({ channel: channel.id, user: user.id, text: answer.text ?? '', blocks: answer.blocks });
      }
    }
    return result;
  }

  /** Posts a person's message and sends the app a message event (manifest.yml subscribes to message.* only, not app_mention). */
  async sendMessage(
    appUrl: string,
    a: SendMessageArgs,
  ): Promise<{ ts: string; eventIds: string[]; deliveries: DeliveryResult[] }> {
    const { state } = this;
    const channel = state.channels.get(a.channel);
    if (!channel || !state.user(a.user)) throw new Error(`unknown channel ${a.channel} or user ${a.user}`);
    if (!channel.members.includes(a.user)) throw new Error(`${a.user} is not in ${a.channel}`);
    const msg = state.addMessage({ channel: channel.id, user: a.user, text: a.text, thread_ts: a.threadTs });
    const deliveries: DeliveryResult[] = [];
    const eventIds: string[] = [];
    // Slack sends message events only for conversations the app is in.
    if (!channel.members.includes(SANDBOX_BOT.userId)) return { ts: msg.ts, eventIds, deliveries };
    const event: Json = {
      type: 'message',
      channel: channel.id,
      user: a.user,
      text: a.text,
      ts: msg.ts,
      event_ts: msg.ts,
      team: SANDBOX_TEAM.id,
      channel_type: channel.is_im ? 'im' : channel.is_private ? 'group' : 'channel',
      ...(msg.thread_ts ? { thread_ts: msg.thread_ts } : {}),
    };
    if (msg.thread_ts) {
      const parent = state.message(channel.id, msg.thread_ts);
      const parentUser = parent?.user ?? (parent?.bot_id ? SANDBOX_BOT.userId : undefined);
      if (parentUser) event.parent_user_id = parentUser;
    }
    const delivered = await this.deliverEvent(appUrl, event);
    eventIds.push(delivered.eventId);
    deliveries.push(delivered.result);
    // As Slack does: a message mentioning the app also comes as an app_mention event (its own event id).
    if (a.text.includes(`<@${SANDBOX_BOT.userId}>`)) {
      const { channel_type: _type, ...mention } = event;
      const m = await this.deliverEvent(appUrl, { ...mention, type: 'app_mention' });
      eventIds.push(m.eventId);
      deliveries.push(m.result);
    }
    return { ts: msg.ts, eventIds, deliveries };
  }

  /** Wraps an event in Slack's event_callback envelope and delivers it. */
  async deliverEvent(appUrl: string, event: Json): Promise<{ eventId: string; result: DeliveryResult }> {
    const eventId = newSlackId('Ev');
    const envelope = {
      token: 'sandbox-verification-token',
      team_id: SANDBOX_TEAM.id,
      api_app_id: SANDBOX_BOT.appId,
      event,
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [
        {
          enterprise_id: null,
          team_id: SANDBOX_TEAM.id,
          user_id: SANDBOX_BOT.userId,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
      event_context: `sandbox-${eventId}`,
    };
    setKeepingAtMost(this.events, eventId, envelope, 200);
    const result = await this.post(appUrl, `event:${String(event.type)}`, JSON.stringify(envelope), 'application/json');
    if (result.error) this.scheduleRetry(appUrl, eventId, result, 1);
    return { eventId, result };
  }

  /** Sends an event again as Slack's retry would (same event_id, X-Slack-Retry-Num), to test idempotence. */
  async redeliverEvent(
    appUrl: string,
    eventId: string,
    retryNum = 1,
    reason = 'http_timeout',
  ): Promise<DeliveryResult> {
    const envelope = this.events.get(eventId);
    if (!envelope) throw new Error(`no event ${eventId}`);
    return this.post(appUrl, 'event_retry', JSON.stringify(envelope), 'application/json', {
      'X-Slack-Retry-Num': String(retryNum),
      'X-Slack-Retry-Reason': reason,
    });
  }

  /** Slack's url_verification handshake; resolves to whether the app echoed the challenge. */
  async verifyUrl(appUrl: string): Promise<boolean> {
    const challenge = randomUUID();
    const result = await this.post(
      appUrl,
      'url_verification',
      JSON.stringify({ token: 'sandbox-verification-token', challenge, type: 'url_verification' }),
      'application/json',
    );
    if (result.status !== 200) return false;
    try {
      return (JSON.parse(result.body) as Json).challenge === challenge;
    } catch {
      return result.body.trim() === challenge;
    }
  }

  /** Applies a POST to a response_url; returns the HTTP status and body to answer with. */
  respond(target: ResponseTarget | undefined, body: Json): { status: number; body: Json } {
    const { state } = this;
    if (!target) return { status: 404, body: { ok: false, error: 'expired_url' } };
    const text = typeof body.text === 'string' ? body.text : '';
    const blocks = Array.isArray(body.blocks) ? (body.blocks as Block[]) : undefined;
    if (blocks) {
      const errors = validateBlocks(blocks, 'message');
      if (errors.length)
        return { status: 400, body: { ok: false, error: 'invalid_blocks', response_metadata: { messages: errors } } };
    }
    const isTrue = (v: unknown) => v === true || v === 'true';
    if (isTrue(body.delete_original)) {
      if (!target.messageTs) return { status: 404, body: { ok: false, error: 'message_not_found' } };
      if (target.ephemeral) {
        state.ephemerals = state.ephemerals.filter((e) => !(e.channel === target.channel && e.ts === target.messageTs));
        state.changed({ kind: 'ephemeral', channel: target.channel, user: target.user });
      } else state.deleteMessage(target.channel, target.messageTs);
      return { status: 200, body: { ok: true } };
    }
    if (!text && !blocks?.length) return { status: 400, body: { ok: false, error: 'no_text' } };
    if (isTrue(body.replace_original) && target.messageTs) {
      if (target.ephemeral) {
        const e = state.ephemerals.find((x) => x.channel === target.channel && x.ts === target.messageTs);
        if (e) {
          e.text = text;
          e.blocks = blocks;
          state.changed({ kind: 'ephemeral', channel: target.channel, user: target.user });
        }
      } else state.updateMessage(target.channel, target.messageTs, { text, blocks: blocks ?? [] }, SANDBOX_BOT.userId);
      return { status: 200, body: { ok: true } };
    }
    const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : target.threadTs;
    if (body.response_type === 'in_channel') {
      state.addMessage({
        channel: target.channel,
        text,
        blocks,
        user: SANDBOX_BOT.userId,
        bot_id: SANDBOX_BOT.botId,
        app_id: SANDBOX_BOT.appId,
        thread_ts: threadTs,
      });
    } else {
      state.addEphemeral({ channel: target.channel, user: target.user, text, blocks, thread_ts: threadTs });
    }
    return { status: 200, body: { ok: true } };
  }
}

function parseCommandAnswer(body: string): { text?: string; blocks?: Block[]; response_type?: string } | undefined {
  const trimmed = body.trim();
  if (!trimmed) return undefined;
  try {
    const parsed = JSON.parse(trimmed) as Json;
    if (typeof parsed !== 'object' || parsed === null) return { text: trimmed };
    const blocks =
      Array.isArray(parsed.blocks) && validateBlocks(parsed.blocks).length === 0
        ? (parsed.blocks as Block[])
        : undefined;
    const text = typeof parsed.text === 'string' ? parsed.text : undefined;
    if (!text && !blocks) return undefined;
    return { text, blocks, response_type: typeof parsed.response_type === 'string' ? parsed.response_type : undefined };
  } catch {
    return { text: trimmed };
  }
}

/** Finds an interactive element by action_id in blocks (section accessories, actions, inputs). */
export function findElement(blocks: Block[], actionId: string): { element: Json; blockId: string } | undefined {
  for (const b of blocks) {
    const candidates: unknown[] = [];
    if (b.accessory) candidates.push(b.accessory);
    if (Array.isArray(b.elements)) candidates.push(...b.elements);
    if (b.element) candidates.push(b.element);
    for (const el of candidates) {
      if (el && typeof el === 'object' && (el as Json).action_id === actionId) {
        return {
          element: el as Json,
          blockId: typeof b.block_id === 'string' ? b.block_id : defaultBlockId(blocks, b),
        };
      }
    }
  }
  return undefined;
}

/** Slack fills in a block_id when the app left it out; a stable one per position keeps clicks reproducible. */
function defaultBlockId(blocks: Block[], block: Block): string {
  return `sb${blocks.indexOf(block)}`;
}

function optionsOf(el: Json): Json[] {
  if (Array.isArray(el.options)) return el.options as Json[];
  if (Array.isArray(el.option_groups))
    return (el.option_groups as Json[]).flatMap((g) => (Array.isArray(g.options) ? (g.options as Json[]) : []));
  return [];
}

function buildAction(el: Json, blockId: string, a: ClickArgs): Json {
  const base: Json = {
    type: el.type,
    action_id: el.action_id,
    block_id: blockId,
    action_ts: `${(Date.now() / 1000).toFixed(6)}`,
  };
  switch (el.type) {
    case 'button':
      return { ...base, text: el.text, value: a.value ?? el.value, style: el.style, url: el.url };
    case 'static_select':
    case 'overflow':
    case 'radio_buttons': {
      const opt = optionsOf(el).find((o) => o.value === (a.selected ?? a.value));
      if (!opt) throw new Error(`no option ${a.selected ?? a.value} in ${String(el.action_id)}`);
      return { ...base, selected_option: opt, placeholder: el.placeholder };
    }
    case 'users_select':
      return { ...base, selected_user: a.selected ?? a.value };
    case 'conversations_select':
      return { ...base, selected_conversation: a.selected ?? a.value };
    case 'channels_select':
      return { ...base, selected_channel: a.selected ?? a.value };
    default:
      return { ...base, value: a.value };
  }
}

/** Turns simple values into the view.state.values shapes Slack sends, by element type. */
export function buildStateValues(
  view: SandboxView,
  given: Record<string, Record<string, string | string[] | undefined>>,
): { values: Json; missing: string[] } {
  const values: Record<string, Record<string, Json>> = {};
  const missing: string[] = [];
  for (const block of (view.view.blocks as Block[]) ?? []) {
    if (block.type !== 'input' || !block.element || typeof block.element !== 'object') continue;
    const el = block.element as Json;
    const blockId =
      typeof block.block_id === 'string' ? block.block_id : defaultBlockId(view.view.blocks as Block[], block);
    const actionId = typeof el.action_id === 'string' ? el.action_id : `sa${blockId}`;
    const raw = given[blockId]?.[actionId] ?? initialValue(el);
    const empty = raw === undefined || raw === '' || (Array.isArray(raw) && raw.length === 0);
    if (empty && block.optional !== true) missing.push(blockId);
    const type = String(el.type);
    let v: Json;
    if (INPUT_VALUE_TYPES.has(type)) v = { type, value: empty ? null : String(raw) };
    else if (type === 'static_select' || type === 'radio_buttons') {
      const opt = empty ? null : optionsOf(el).find((o) => o.value === raw);
      if (!empty && !opt) throw new Error(`no option ${String(raw)} in ${actionId}`);
      v = { type, selected_option: opt ?? null };
    } else if (type === 'multi_static_select' || type === 'checkboxes') {
      const wanted = Array.isArray(raw) ? raw : raw ? [raw] : [];
      v = { type, selected_options: optionsOf(el).filter((o) => wanted.includes(String(o.value))) };
    } else if (type === 'users_select') v = { type, selected_user: empty ? null : String(raw) };
    else if (type === 'multi_users_select') v = { type, selected_users: Array.isArray(raw) ? raw : raw ? [raw] : [] };
    else if (type === 'conversations_select') v = { type, selected_conversation: empty ? null : String(raw) };
    else if (type === 'channels_select') v = { type, selected_channel: empty ? null : String(raw) };
    else if (type === 'datepicker') v = { type, selected_date: empty ? null : String(raw) };
    else if (type === 'timepicker') v = { type, selected_time: empty ? null : String(raw) };
    else v = { type, value: empty ? null : raw };
    values[blockId] = { [actionId]: v };
  }
  return { values, missing };
}

function initialValue(el: Json): string | string[] | undefined {
  if (typeof el.initial_value === 'string') return el.initial_value;
  if (el.initial_option && typeof el.initial_option === 'object') return String((el.initial_option as Json).value);
  if (typeof el.initial_user === 'string') return el.initial_user;
  if (typeof el.initial_conversation === 'string') return el.initial_conversation;
  if (typeof el.initial_date === 'string') return el.initial_date;
  return undefined;
}
