// A local Slack for tests: the sandbox's Web API on its own port, its state, and signed user actions to deliver to an app.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { SlackSandbox } from '../../sandbox/slack/slack-sandbox.js';
import {
  SlackDeliverer,
  type ClickArgs,
  type DeliveryResult,
  type SendMessageArgs,
  type SlashCommandArgs,
  type SubmitViewArgs,
} from '../../sandbox/slack/deliver.js';
import type { RateLimitOptions } from '../../sandbox/slack/rate-limit.js';
import type {
  SandboxChannel,
  SandboxEphemeral,
  SandboxFile,
  SandboxMessage,
  SandboxView,
  WorkspaceState,
} from '../../sandbox/slack/workspace-state.js';
import { createSlackHold, type SlackHold } from './slack-hold.js';
import { waitFor } from './wait-for.js';

export { ROSTER, RosterIds, SANDBOX_BOT, SANDBOX_CHANNELS, SANDBOX_USERGROUPS } from '../../sandbox/slack/roster.js';
export type { DeliveryResult } from '../../sandbox/slack/deliver.js';

export interface FakeSlackOptions {
  /** Token the Web API accepts; default 'xoxb-test'. */
  botToken?: string;
  /** Secret deliveries are signed with; default 'test-secret'. */
  signingSecret?: string;
  /** Per-channel chat.postMessage limit; off unless enabled here or with setRateLimit. */
  rateLimit?: Partial<RateLimitOptions>;
  /** Trigger id lifetime (Slack: 3000 ms). */
  triggerTtlMs?: number;
  /** Automatic retries of failed event deliveries, e.g. [0, 50]; none unless set (Slack: 0, 1 min, 5 min). */
  eventRetryDelaysMs?: number[];
  /** The clock requests are signed with (unix ms): the app's, which checks them. Default the real time. */
  now?: () => number;
}

/** What a person does in Slack, delivered signed to an app (appUrl: its base URL or its /slack/events URL). */
export interface FakeSlackActions {
  clickButton(appUrl: string, args: ClickArgs): Promise<DeliveryResult>;
  submitView(appUrl: string, args: SubmitViewArgs): Promise<DeliveryResult>;
  closeView(appUrl: string, user: string): Promise<DeliveryResult | undefined>;
  slashCommand(appUrl: string, args: SlashCommandArgs): Promise<DeliveryResult>;
  sendMessage(
    appUrl: string,
    args: SendMessageArgs,
  ): Promise<{ ts: string; eventIds: string[]; deliveries: DeliveryResult[] }>;
  redeliverEvent(appUrl: string, eventId: string, retryNum?: number): Promise<DeliveryResult>;
  /** Any other Events API event (e.g. member_joined_channel), wrapped in an event_callback envelope. */
  deliverEvent(appUrl: string, event: Record<string, unknown>): Promise<{ eventId: string; result: DeliveryResult }>;
  verifyUrl(appUrl: string): Promise<boolean>;
}

export interface FakeSlack {
  /** The server's origin. */
  url: string;
  /** slackApiUrl for WebClient / SLACK_API_URL; ends with /api/. */
  apiUrl: string;
  botToken: string;
  signingSecret: string;
  sandbox: SlackSandbox;
  state: WorkspaceState;
  channels(): SandboxChannel[];
  channelByName(name: string): SandboxChannel | undefined;
  /** Every message of a channel, thread replies included, oldest first. */
  messages(channel: string): SandboxMessage[];
  /** Top-level messages, oldest first. */
  topLevel(channel: string): SandboxMessage[];
  /** A thread: parent first, then replies. */
  thread(channel: string, ts: string): SandboxMessage[];
  /** The channel's newest message; channel join and topic notices are skipped unless includeSystem. */
  lastMessage(channel: string, opts?: { includeSystem?: boolean }): SandboxMessage | undefined;
  ephemerals(user?: string): SandboxEphemeral[];
  /** Open modals, bottom of each stack first. */
  views(user?: string): SandboxView[];
  uploads(): { file: SandboxFile; content: Buffer | undefined }[];
  /** Every Web API call (and response-URL post) the app made, oldest first, with the arguments it sent. */
  calls(): { method: string; args: Record<string, unknown> }[];
  /** Deliveries made so far (newest last) and how the app answered. */
  deliveries(): DeliveryResult[];
  setRateLimit(opts: Partial<RateLimitOptions>): void;
  /**
   * An outage: these Web API methods fail until `recover()`, with an HTTP status (e.g. 503) or Slack's
   * `{ ok: false, error }` answer. Nothing they would have done reaches the workspace.
   */
  failMethods(methods: string[], how?: { status: number } | { error: string }): void;
  /**
   * The next `count` calls of `method` (those whose answer `matches`, when given) reach the workspace (what they do is
   * done) but their answer is lost on the way back: the app gets a 503, as from a proxy that timed out. Such answers
   * are counted in failedCalls.
   */
  loseAnswers(method: string, opts?: { count?: number; matches?: (answer: Record<string, unknown>) => boolean }): void;
  /** Ends every outage started with failMethods. */
  recover(): void;
  /** Holds every Web API call and response-URL post unanswered until release() (see slack-hold.ts). */
  hold: Omit<SlackHold, 'middleware'>;
  /** Web API calls answered with an outage's failure, by method, oldest first. */
  failedCalls(): string[];
  /** Polls until fn returns something truthy; fails with `message` after timeoutMs (default 10 s). */
  waitFor<T>(
    fn: () => T | undefined | null | false,
    opts?: { timeoutMs?: number; intervalMs?: number; message?: string },
  ): Promise<T>;
  act: FakeSlackActions;
  /** The same actions, signed with another secret (e.g. to check the app rejects bad signatures). */
  deliverTo(signingSecret: string): FakeSlackActions;
  close(): Promise<void>;
}

function bindActions(d: SlackDeliverer): FakeSlackActions {
  return {
    clickButton: (appUrl, a) => d.clickButton(appUrl, a),
    submitView: (appUrl, a) => d.submitView(appUrl, a),
    closeView: (appUrl, user) => d.closeView(appUrl, user),
    slashCommand: (appUrl, a) => d.slashCommand(appUrl, a),
    sendMessage: (appUrl, a) => d.sendMessage(appUrl, a),
    redeliverEvent: (appUrl, id, n) => d.redeliverEvent(appUrl, id, n),
    deliverEvent: (appUrl, event) => d.deliverEvent(appUrl, event),
    verifyUrl: (appUrl) => d.verifyUrl(appUrl),
  };
}

const SYSTEM_SUBTYPES = new Set(['channel_join', 'channel_topic', 'channel_purpose']);

/** Starts a local Slack on a free loopback port. */
export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const botToken = opts.botToken ?? 'xoxb-test';
  const signingSecret = opts.signingSecret ?? 'test-secret';
  let base = '';
  const sandbox = new SlackSandbox({
    botToken,
    signingSecret,
    rateLimit: opts.rateLimit,
    interactions: { triggerTtlMs: opts.triggerTtlMs },
    eventRetryDelaysMs: opts.eventRetryDelaysMs,
    baseUrl: () => `${base}/sandbox/slack`,
    ...(opts.now ? { now: opts.now } : {}),
  });
  // The sandbox's router behind a switch that can fail chosen Web API methods (a Slack outage).
  const outages = new Map<string, { status: number } | { error: string }>();
  const failed: string[] = [];
  const hold = createSlackHold();
  const web = express();
  web.use('/sandbox/slack', hold.middleware);
  web.all('/sandbox/slack/api/:method', (req, res, next) => {
    const method = String(req.params.method);
    const how = outages.get(method);
    if (!how) return next();
    failed.push(method);
    if ('status' in how) res.status(how.status).json({ ok: false, error: 'service_unavailable' });
    else res.status(200).json({ ok: false, error: how.error });
  });
  // Answers lost after the work was done: the sandbox answers, and the app is sent a 503 in its place.
  const losing = new Map<string, { left: number; matches?: (answer: Record<string, unknown>) => boolean }>();
  web.all('/sandbox/slack/api/:method', (req, res, next) => {
    const method = String(req.params.method);
    const lose = losing.get(method);
    if (!lose || lose.left <= 0) return next();
    const answer = res.json.bind(res);
    res.json = (body: Record<string, unknown>) => {
      if (lose.left <= 0 || body?.ok !== true || (lose.matches && !lose.matches(body))) return answer(body);
      lose.left--;
      failed.push(method);
      return res.status(503).json({ ok: false, error: 'service_unavailable' });
    };
    next();
  });
  web.use('/sandbox/slack', sandbox.router());
  const httpServer = http.createServer(web);
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  const server = {
    url: base,
    close: () =>
      new Promise<void>((resolve) => {
        sandbox.deliver.stop();
        hold.release();
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
  const { state } = sandbox;
  return {
    url: server.url,
    apiUrl: sandbox.apiUrl,
    botToken,
    signingSecret,
    sandbox,
    state,
    channels: () => [...state.channels.values()],
    channelByName: (name) => state.channelByName(name),
    messages: (channel) => [...state.channelMessages(channel)],
    topLevel: (channel) => state.topLevel(channel),
    thread: (channel, ts) => state.thread(channel, ts),
    lastMessage: (channel, o) =>
      [...state.channelMessages(channel)]
        .reverse()
        .find((m) => o?.includeSystem || !SYSTEM_SUBTYPES.has(m.subtype ?? '')),
    ephemerals: (user) => state.ephemerals.filter((e) => !user || e.user === user),
    views: (user) =>
      [...state.viewStacks.entries()]
        .filter(([u]) => !user || u === user)
        .flatMap(([, ids]) => ids.map((id) => state.views.get(id)).filter((v): v is SandboxView => !!v)),
    uploads: () => [...state.files.values()].map((file) => ({ file, content: state.fileContents.get(file.id) })),
    deliveries: () => [...sandbox.deliver.log],
    calls: () => [...sandbox.calls],
    setRateLimit: (o) => sandbox.limiter.configure(o),
    failMethods: (methods, how = { status: 503 }) => methods.forEach((m) => outages.set(m, how)),
    loseAnswers: (method, o = {}) =>
      losing.set(method, { left: o.count ?? 1, ...(o.matches ? { matches: o.matches } : {}) }),
    recover: () => outages.clear(),
    hold: { hold: (methods) => hold.hold(methods), release: () => hold.release(), held: () => hold.held() },
    failedCalls: () => [...failed],
    waitFor: (fn, o = {}) =>
      waitFor(`fake Slack: ${o.message ?? 'a condition'}`, fn, o.timeoutMs ?? 10_000, o.intervalMs ?? 25),
    act: bindActions(sandbox.deliver),
    deliverTo: (secret) =>
      bindActions(
        new SlackDeliverer({
          state,
          interactions: sandbox.interactions,
          signingSecret: secret,
          baseUrl: () => sandbox.baseUrl,
        }),
      ),
    close: () => server.close(),
  };
}
