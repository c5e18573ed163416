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
  /** Largest webhook body accepted. */
  bodyLimit?: string;
}

export interface HttpServer {
  express: Express;
  /** Router for /webhooks/*: req.rawBody holds the raw bytes, req.body is untouched. */
  webhooks: Router;
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
  const server = http.createServer(app);
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
  webhooks.use(express.raw({ type: () => true, limit: opts.bodyLimit ?? '5mb' }), (req, _res, next) => {
    req.rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    next();
  });
  const root = express.Router();
  if (opts.serveRequests !== false) {
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
