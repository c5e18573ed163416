// The local Slack: Web API router, event delivery and state in one object, mountable on any express app or standalone.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response, type Router } from 'express';
import { SlackApiError } from './api-error.js';
import { callMethod, legacyFilesUpload, receiveUpload, type ApiArgs, type ApiContext } from './web-api.js';
import { ChannelRateLimiter, type RateLimitOptions } from './rate-limit.js';
import { Interactions, type InteractionOptions } from './interactions.js';
import { SlackDeliverer } from './deliver.js';
import { WorkspaceState } from './workspace-state.js';

export interface SlackSandboxOptions {
  /** Bearer token the Web API accepts. */
  botToken?: string;
  /** Secret that signs deliveries to the app. */
  signingSecret?: string;
  /** Existing state (e.g. loaded from disk); a fresh in-memory workspace otherwise. */
  state?: WorkspaceState;
  rateLimit?: Partial<RateLimitOptions>;
  interactions?: InteractionOptions;
  /** Public URL where the router is mounted (…/sandbox/slack); used in response URLs. Set by `listen` when standalone. */
  baseUrl?: () => string;
  /** Where permalinks point (the console); defaults to the base URL's origin. */
  consoleUrl?: () => string;
  /** Slack gives up on an app's ack after 3 seconds. */
  ackTimeoutMs?: number;
  /** Automatic retries of failed event deliveries (Slack: [0, 60_000, 300_000]); none by default. */
  eventRetryDelaysMs?: number[];
  /** The time deliveries are signed with (unix ms): the app's clock, which checks them. Default the real time. */
  now?: () => number;
}

type RawRequest = Request & { rawBody?: Buffer };

/** The local Slack. */
export class SlackSandbox {
  readonly state: WorkspaceState;
  readonly botToken: string;
  readonly signingSecret: string;
  readonly limiter: ChannelRateLimiter;
  readonly interactions: Interactions;
  readonly deliver: SlackDeliverer;
  /** Every authenticated Web API call and response-URL post the app made, oldest first (tests read what was sent). */
  readonly calls: { method: string; args: ApiArgs }[] = [];
  private baseUrlFn: () => string;
  private readonly consoleUrlFn: (() => string) | undefined;
  /** Set once an admin revoked the bot token (the app was uninstalled): every call with it answers token_revoked. */
  private revoked = false;

  /** As when an admin uninstalls the app: from now on every Web API call with the bot token answers token_revoked. */
  revokeBotToken(): void {
    this.revoked = true;
  }

  /** As when an admin installs the app again: the bot token works again. */
  restoreBotToken(): void {
    this.revoked = false;
  }

  constructor(opts: SlackSandboxOptions = {}) {
    this.state = opts.state ?? new WorkspaceState();
    this.botToken = opts.botToken ?? 'xoxb-sandbox-token';
    this.signingSecret = opts.signingSecret ?? 'sandbox-signing-secret';
    this.limiter = new ChannelRateLimiter(opts.rateLimit);
    this.interactions = new Interactions(opts.interactions);
    this.baseUrlFn = opts.baseUrl ?? (() => 'http://127.0.0.1/sandbox/slack');
    this.consoleUrlFn = opts.consoleUrl;
    this.deliver = new SlackDeliverer({
      state: this.state,
      interactions: this.interactions,
      signingSecret: this.signingSecret,
      baseUrl: () => this.baseUrl,
      ackTimeoutMs: opts.ackTimeoutMs,
      eventRetryDelaysMs: opts.eventRetryDelaysMs,
      ...(opts.now ? { now: opts.now } : {}),
    });
  }

  get baseUrl(): string {
    return this.baseUrlFn().replace(/\/+$/, '');
  }

  get consoleUrl(): string {
    return (this.consoleUrlFn ? this.consoleUrlFn() : new URL(this.baseUrl).origin).replace(/\/+$/, '');
  }

  /** The Web API base URL a WebClient takes as slackApiUrl (ends with /api/). */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  /**
   * The router to mount at /sandbox/slack: POST /api/<method>, POST /upload/v1/<file>, GET /files/<file>/<name>,
   * POST /response/<token>.
   */
  router(): Router {
    const router = express.Router();
    // Parses nothing up front: Web API bodies come form-encoded, JSON or multipart, and uploads are raw bytes.
    const raw = express.raw({ type: () => true, limit: '50mb' });

    router.post('/api/:method', raw, (req, res) => {
      void this.handleApi(req as RawRequest, res);
    });
    // WebClient calls some methods with GET-style query strings when asked to; Slack accepts GET too.
    router.get('/api/:method', (req, res) => {
      void this.handleApi(req as RawRequest, res);
    });

    router.post('/upload/v1/:fileId', raw, (req, res) => {
      void (async () => {
        const body = rawBody(req as RawRequest);
        const ct = req.headers['content-type'] ?? '';
        let data = body;
        if (ct.startsWith('multipart/form-data')) {
          const form = await new globalThis.Response(body, { headers: { 'content-type': ct } }).formData();
          const part = [...form.values()].find((v): v is File => typeof v !== 'string');
          data = part ? Buffer.from(await part.arrayBuffer()) : Buffer.alloc(0);
        }
        if (!receiveUpload(this.state, String(req.params.fileId), data)) {
          res.status(404).type('text/plain').send('file_not_found');
          return;
        }
        res.status(200).type('text/plain').send(`OK - ${data.length}`);
      })().catch((err: unknown) => res.status(500).type('text/plain').send(String(err)));
    });

    router.get('/files/:fileId{/:name}', (req, res) => {
      const file = this.state.files.get(String(req.params.fileId));
      const content = file ? this.state.fileContents.get(file.id) : undefined;
      if (!file || !content) {
        res.status(404).type('text/plain').send('file_not_found');
        return;
      }
      res.setHeader('Content-Type', file.mimetype);
      // Files are untrusted: never let one run as a page on the console's origin.
      res.setHeader(
        'Content-Security-Policy',
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
      );
      res.setHeader('X-Content-Type-Options', 'nosniff');
      if (req.query.download)
        res.setHeader('Content-Disposition', `attachment; filename="${file.name.replace(/["\\\r\n]/g, '_')}"`);
      res.send(content);
    });

    router.post('/response/:token', raw, (req, res) => {
      let body: Record<string, unknown>;
      try {
        body = parseBody(req as RawRequest).args;
      } catch {
        res.status(400).json({ ok: false, error: 'invalid_payload' });
        return;
      }
      this.calls.push({ method: 'response_url', args: body as ApiArgs });
      const out = this.deliver.respond(this.interactions.useResponseUrl(String(req.params.token)), body);
      res.status(out.status).json(out.body);
    });
    return router;
  }

  private async handleApi(req: RawRequest, res: Response): Promise<void> {
    const method = String(req.params.method);
    let args: ApiArgs;
    let upload: { name?: string; data: Buffer } | undefined;
    try {
      const parsed = req.method === 'GET' ? { args: { ...(req.query as ApiArgs) } } : await parseRequest(req);
      args = parsed.args;
      upload = parsed.upload;
    } catch {
      res.status(200).json({ ok: false, error: 'invalid_form_data' });
      return;
    }
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ')
      ? auth.slice(7).trim()
      : typeof args.token === 'string'
        ? args.token
        : undefined;
    if (!token) {
      res.status(200).json({ ok: false, error: 'not_authed' });
      return;
    }
    if (token !== this.botToken) {
      res.status(200).json({ ok: false, error: 'invalid_auth' });
      return;
    }
    if (this.revoked) {
      res.status(200).json({ ok: false, error: 'token_revoked' });
      return;
    }
    this.calls.push({ method, args });
    const ctx: ApiContext = {
      state: this.state,
      limiter: this.limiter,
      interactions: this.interactions,
      baseUrl: this.baseUrl,
      consoleUrl: this.consoleUrl,
    };
    try {
      const result = method === 'files.upload' ? legacyFilesUpload(args, upload, ctx) : callMethod(method, args, ctx);
      res.status(200).json({ ok: true, ...result });
    } catch (err) {
      if (err instanceof SlackApiError) {
        if (err.retryAfterSeconds !== undefined) {
          res.setHeader('Retry-After', String(err.retryAfterSeconds));
          res.status(429).json({ ok: false, error: err.code });
          return;
        }
        res.status(200).json({ ok: false, error: err.code, ...err.extra });
        return;
      }
      res
        .status(200)
        .json({ ok: false, error: 'internal_error', detail: err instanceof Error ? err.message : String(err) });
    }
  }

  /** Runs the router on its own HTTP server (for tests); the base URL becomes that server's. */
  async listen(port = 0, host = '127.0.0.1'): Promise<{ url: string; close: () => Promise<void> }> {
    const app = express();
    app.use('/sandbox/slack', this.router());
    const server = http.createServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const { port: actual } = server.address() as AddressInfo;
    const url = `http://${host}:${actual}`;
    this.baseUrlFn = () => `${url}/sandbox/slack`;
    return {
      url,
      close: () =>
        new Promise<void>((resolve) => {
          this.deliver.stop();
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }
}

function rawBody(req: RawRequest): Buffer {
  if (Buffer.isBuffer(req.body)) return req.body;
  if (req.rawBody) return req.rawBody;
  return Buffer.alloc(0);
}

/** Parses a non-multipart body: form-encoded or JSON; an earlier body parser's result is used as is. */
function parseBody(req: RawRequest): { args: ApiArgs } {
  if (!Buffer.isBuffer(req.body) && req.body && typeof req.body === 'object')
    return { args: { ...(req.body as ApiArgs) } };
  const body = rawBody(req).toString('utf8');
  const ct = req.headers['content-type'] ?? '';
  if (ct.includes('application/json')) return { args: body.trim() ? (JSON.parse(body) as ApiArgs) : {} };
  if (!ct && body.trim().startsWith('{')) return { args: JSON.parse(body) as ApiArgs };
  return { args: Object.fromEntries(new URLSearchParams(body)) };
}

async function parseRequest(req: RawRequest): Promise<{ args: ApiArgs; upload?: { name?: string; data: Buffer } }> {
  const ct = req.headers['content-type'] ?? '';
  if (!ct.startsWith('multipart/form-data')) return parseBody(req);
  const form = await new globalThis.Response(rawBody(req), { headers: { 'content-type': ct } }).formData();
  const args: ApiArgs = {};
  let upload: { name?: string; data: Buffer } | undefined;
  for (const [key, value] of form.entries()) {
    if (typeof value === 'string') args[key] = value;
    else upload = { name: value.name, data: Buffer.from(await value.arrayBuffer()) };
  }
  return { args, upload };
}
