// Builds the Bolt app: HTTP mode on POST /slack/events (our signature, timestamp and envelope checks run before Bolt), or Socket Mode with an app token.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { App, ExpressReceiver, LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { ExtendedErrorHandlerArgs } from '@slack/bolt/dist/App.js';
import express, { type Request, type Response, type NextFunction, type Router } from 'express';
import type { Logger } from '../../logger.js';
import { AppError } from '../../errors.js';
import { checkSlackEnvelope } from './envelope.js';

export interface SlackAppOptions {
  botToken: string;
  signingSecret: string;
  /** Socket Mode when set. */
  appToken?: string;
  /** Web API base URL (SLACK_API_URL), e.g. https://slack.com/api/ or a local workspace's. */
  apiUrl?: string;
  logger: Logger;
  /** Router on which HTTP mode registers POST /slack/events. */
  router: Router;
  /** The app's clock (unix ms), against which a request's X-Slack-Request-Timestamp is checked. */
  now?: () => number;
}

/** Slack's replay window: a request dated more than this before or after now is refused. */
export const SLACK_REQUEST_WINDOW_S = 5 * 60;

/**
 * Checks a request to /slack/events as Slack documents it (v0 HMAC-SHA256 of `v0:timestamp:body` with the signing
 * secret), dated within five minutes of the app's clock either way: Bolt's own check uses the wall clock and only
 * refuses requests dated in the past, so a request dated in the future would pass it.
 */
export function verifySlackRequest(
  signingSecret: string,
  raw: Buffer,
  headers: Request['headers'],
  nowMs: number,
): string | null {
  const signature = headers['x-slack-signature'];
  const timestamp = headers['x-slack-request-timestamp'];
  if (typeof signature !== 'string' || typeof timestamp !== 'string')
    return 'missing X-Slack-Signature or X-Slack-Request-Timestamp';
  if (!/^\d+$/.test(timestamp)) return 'X-Slack-Request-Timestamp is not a unix time';
  if (Math.abs(Math.floor(nowMs / 1000) - Number(timestamp)) > SLACK_REQUEST_WINDOW_S)
    return 'X-Slack-Request-Timestamp is more than 5 minutes from now';
  const expected = Buffer.from(
    `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(raw).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'signature mismatch';
  return null;
}

export interface SlackApp {
  app: App;
  mode: 'http' | 'socket';
  /** Connects Socket Mode (HTTP mode needs nothing: the router is mounted on the app's server). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Adapts pino to Bolt's logger interface, so Slack's SDK logs land in the same redacted JSON stream. */
function boltLogger(logger: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const child = logger.child({ component: 'slack' });
  return {
    debug: (...msg: unknown[]) => child.debug(msg.map(String).join(' ')),
    info: (...msg: unknown[]) => child.info(msg.map(String).join(' ')),
    warn: (...msg: unknown[]) => child.warn(msg.map(String).join(' ')),
    error: (...msg: unknown[]) => child.error(msg.map(String).join(' ')),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/** One Bolt app; the error handler answers the person who clicked or typed with what went wrong. */
export function createSlackApp(opts: SlackAppOptions): SlackApp {
  const logger = boltLogger(opts.logger);
  // Jobs own retries and backoff (a rate-limited call becomes a retryable error carrying Retry-After), so the Web
  // client must not retry on its own: a retry after a 5xx that Slack had accepted posts twice.
  const clientOptions = {
    ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  };
  let app: App;
  let mode: SlackApp['mode'];
  if (opts.appToken) {
    mode = 'socket';
    app = new App({
      token: opts.botToken,
      appToken: opts.appToken,
      socketMode: true,
      logger,
      clientOptions,
      extendedErrorHandler: true,
    });
  } else {
    mode = 'http';
    const now = opts.now ?? (() => Date.now());
    // Our check runs first and keeps the raw bytes on req.rawBody, which the receiver then parses.
    opts.router.post(
      '/slack/events',
      express.raw({ type: () => true, limit: '10mb' }),
      (req: Request, res: Response, next: NextFunction) => {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const problem = verifySlackRequest(opts.signingSecret, raw, req.headers, now());
        if (problem) {
          opts.logger.warn({ problem }, 'refused a Slack request that failed verification');
          res.status(401).json({ error: 'unauthorized', message: `Slack request verification failed: ${problem}.` });
          return;
        }
        const malformed = checkSlackEnvelope(raw, req.headers['content-type']);
        if (malformed) {
          opts.logger.warn({ problem: malformed }, 'refused a malformed Slack request');
          res.status(400).type('text/plain').send(`Malformed Slack request: ${malformed}.`);
          return;
        }
        req.rawBody = raw;
        next();
      },
    );
    const receiver = new ExpressReceiver({
      signingSecret: opts.signingSecret,
      // Verified above, against the app's clock and in both directions.
      signatureVerification: false,
      endpoints: '/slack/events',
      router: opts.router,
      logger,
      // Acknowledge first, then work: handlers call ack() themselves before slow work.
      processBeforeResponse: false,
    });
    app = new App({ token: opts.botToken, receiver, logger, clientOptions, extendedErrorHandler: true });
  }

  // Bolt checks the token (auth.test) as soon as the app is built and keeps that promise for the first request. When
  // it fails (Slack unreachable, or the app stopping before it answered, as when the port is taken) nothing awaits it
  // yet, and the rejection would kill the process after the real error was reported: handle it here, once.
  const eagerAuth = (app as unknown as { authorize?: (source: { isEnterpriseInstall: boolean }) => Promise<unknown> })
    .authorize;
  eagerAuth?.call(app, { isEnterpriseInstall: false }).catch((err: unknown) => {
    opts.logger.warn(
      { err },
      'Slack auth.test failed at startup; requests from Slack cannot be authorized until the copilot restarts',
    );
  });

  app.error(async ({ error, body, context }: ExtendedErrorHandlerArgs) => {
    const err = (error as { original?: unknown }).original ?? error;
    const message = err instanceof AppError ? err.message : 'Something went wrong on our side; it has been logged.';
    opts.logger.error({ err, type: (body as { type?: string } | undefined)?.type }, 'slack handler failed');
    const b = body as
      { user?: { id?: string }; user_id?: string; channel?: { id?: string }; channel_id?: string } | undefined;
    const user = b?.user?.id ?? b?.user_id;
    const channel = b?.channel?.id ?? b?.channel_id;
    if (user && channel && context.botToken) {
      try {
        await app.client.chat.postEphemeral({ token: context.botToken, channel, user, text: `:warning: ${message}` });
      } catch (postErr) {
        opts.logger.warn({ err: postErr }, 'could not tell the user about the failure');
      }
    }
  });

  return {
    app,
    mode,
    async start() {
      if (mode === 'socket') await app.start();
    },
    async stop() {
      if (mode === 'socket') await app.stop();
    },
  };
}
