// The HTTP server: health, readiness and metrics endpoints, raw bodies for webhooks, and a graceful close.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type Request, type Response, type NextFunction, type Router } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import { AppError } from '../errors.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The exact bytes received, for signature checks (set on /webhooks/*). */
    rawBody?: Buffer;
  }
}

/** A webhook request reduced to what a webhook handler needs: the exact bytes, the headers and the sender. */
export interface WebhookRequest {
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
  remoteAddress: string | undefined;
}

/** What a webhook answers: the status code and a JSON body. */
export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * POST routes under /webhooks answered on the intake's fast path: straight from node's HTTP server, without express's
 * router, body parser or ETag (the busiest requests the copilot gets, answered as soon as they are stored). A request
 * with a Content-Encoding goes through express (which inflates it) to the same handler.
 */
export interface WebhookRoutes {
  post(path: string, handle: (req: WebhookRequest) => Promise<WebhookAnswer>): void;
}

/** A named check for /readyz: throws when its dependency is unreachable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/** Extra facts /readyz reports alongside its checks (e.g. the dead-letter list); never makes it fail. */
export interface ReadinessDetail {
  name: string;
  read(): Promise<unknown>;
}

export interface HttpServerOptions {
  logger: Logger;
  registry: Registry;
  readiness: ReadinessCheck[];
  details?: ReadinessDetail[];
  /**
   * false: only /healthz, /readyz and /metrics are served (a worker role); the webhook and root routers are built
   * but not mounted, so a request for them is a 404.
   */
  serveRequests?: boolean;
  /** Degraded but ready (e.g. runbooks kept from the last good read): listed by /readyz as `notes`, still 200. */
  notes?: () => string[];
  /** Largest webhook body accepted, in bytes (default 5 MiB). */
  bodyLimitBytes?: number;
}

export interface HttpServer {
  express: Express;
  /** Router for /webhooks/*: req.rawBody holds the raw bytes, req.body is untouched. */
  webhooks: Router;
  /** The intake's webhook routes (see WebhookRoutes), served under /webhooks. */
  webhookRoutes: WebhookRoutes;
  /** Router mounted at the root, for Slack's /slack/events and anything else. */
  root: Router;
  listen(port: number, host: string, opts?: { tryNextPorts?: number }): Promise<{ port: number; url: string }>;
  /** Stops accepting, waits for in-flight requests up to timeoutMs, then closes what is left. */
  close(timeoutMs: number): Promise<void>;
  /** True once close() was called: readiness answers 503 while draining. */
  readonly closing: boolean;
}

export function createHttpServer(opts: HttpServerOptions): HttpServer {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const bodyLimit = opts.bodyLimitBytes ?? 5 * 1024 * 1024;
  const fastRoutes = new Map<string, (req: WebhookRequest) => Promise<WebhookAnswer>>();
  const serveRequests = opts.serveRequests !== false;
  const server = http.createServer((req, res) => {
    const handle = serveRequests && req.method === 'POST' ? fastRoutes.get(req.url ?? '') : undefined;
    const encoding = req.headers['content-encoding'];
    if (handle && (!encoding || encoding === 'identity')) answerWebhook(req, res, handle, bodyLimit, opts.logger);
    else app(req, res);
  });
  let closing = false;

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    if (closing) {
      res.status(503).json({ status: 'unavailable', failing: ['shutting down'] });
      return;
    }
    const failing: string[] = [];
    await Promise.all(
      opts.readiness.map(async (r) => {
        try {
          await withTimeout(r.check(), 2000, `${r.name} did not answer within 2 s`);
        } catch (err) {
          failing.push(`${r.name}: ${(err as Error).message}`);
        }
      }),
    );
    const detail: Record<string, unknown> = {};
    await Promise.all(
      (opts.details ?? []).map(async (d) => {
        try {
          detail[d.name] = await withTimeout(d.read(), 2000, `${d.name} did not answer within 2 s`);
        } catch (err) {
          detail[d.name] = { error: (err as Error).message };
        }
      }),
    );
    if (failing.length) res.status(503).json({ status: 'unavailable', failing, detail });
    else {
      const notes = opts.notes?.() ?? [];
      res.json({
        status: 'ready',
        checks: opts.readiness.map((r) => r.name),
        ...(notes.length ? { notes } : {}),
        detail,
      });
    }
  });

  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', opts.registry.contentType);
    res.send(await opts.registry.metrics());
  });

  const webhooks = express.Router();
  webhooks.use(express.raw({ type: () => true, limit: bodyLimit }), (req, _res, next) => {
    req.rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    next();
  });
  const webhookRoutes: WebhookRoutes = {
    post(path, handle) {
      fastRoutes.set(`/webhooks${path}`, handle);
      webhooks.post(path, async (req, res, next) => {
        try {
          const answer = await handle({
            rawBody: req.rawBody ?? Buffer.alloc(0),
            headers: req.headers,
            remoteAddress: req.socket.remoteAddress,
          });
          res.status(answer.status).json(answer.body);
        } catch (err) {
          next(err);
        }
      });
    },
  };
  const root = express.Router();
  if (serveRequests) {
    app.use('/webhooks', webhooks);
    app.use(root);
  }

  // Errors thrown by routes: a clear JSON answer, never a stack trace.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.too.large') {
      res.status(413).json({ error: 'payload_too_large', message: 'The body is larger than the server accepts.' });
      return;
    }
    if (err instanceof AppError) {
      const status =
        err.code === 'validation_failed'
          ? 400
          : err.code === 'unauthorized'
            ? 401
            : err.code === 'forbidden'
              ? 403
              : err.code === 'not_found'
                ? 404
                : 500;
      res.status(status).json({ error: err.code, message: err.message });
      return;
    }
    opts.logger.error({ err, path: req.path }, 'request failed');
    res.status(500).json({ error: 'internal', message: 'Internal error; it has been logged.' });
  });

  return {
    express: app,
    webhooks,
    webhookRoutes,
    root,
    get closing() {
      return closing;
    },
    async listen(port, host, lopts) {
      const tries = Math.max(0, lopts?.tryNextPorts ?? 0);
      for (let i = 0; ; i++) {
        try {
          await new Promise<void>((resolve, reject) => {
            const onError = (err: Error) => {
              server.off('listening', onListening);
              reject(err);
            };
            const onListening = () => {
              server.off('error', onError);
              resolve();
            };
            server.once('error', onError);
            server.once('listening', onListening);
            server.listen(port + (port === 0 ? 0 : i), host);
          });
          break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' && i < tries && port !== 0) continue;
          if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
            throw new AppError(
              'port_in_use',
              `Port ${port + i} on ${host} is already in use; set PORT to a free port.`,
              { cause: err },
            );
          throw err;
        }
      }
      const addr = server.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
      return { port: addr.port, url: `http://${shownHost}:${addr.port}` };
    },
    async close(timeoutMs) {
      closing = true;
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
      timer.unref();
      await closed;
      clearTimeout(timer);
    },
  };
}

/** The fast path of a webhook: reads the body (up to the limit), runs the handler, writes its JSON answer. */
function answerWebhook(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  handle: (req: WebhookRequest) => Promise<WebhookAnswer>,
  limit: number,
  logger: Logger,
): void {
  const send = (status: number, body: unknown) => {
    const json = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
    });
    res.end(json);
  };
  const declared = Number(req.headers['content-length'] ?? 0);
  const tooLarge = () => {
    send(413, { error: 'payload_too_large', message: 'The body is larger than the server accepts.' });
    req.resume();
  };
  if (declared > limit) return tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  req.on('data', (chunk: Buffer) => {
    if (refused) return;
    size += chunk.length;
    if (size > limit) {
      refused = true;
      tooLarge();
      return;
    }
    chunks.push(chunk);
  });
  req.on('error', () => {
    refused = true;
    if (!res.headersSent) res.destroy();
  });
  req.on('end', () => {
    if (refused) return;
    const rawBody = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    handle({ rawBody, headers: req.headers, remoteAddress: req.socket.remoteAddress }).then(
      (answer) => send(answer.status, answer.body),
      (err: unknown) => {
        logger.error({ err, path: req.url }, 'request failed');
        send(500, { error: 'internal', message: 'Internal error; it has been logged.' });
      },
    );
  });
}

async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms))),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
