// The HTTP server: health, readiness naming what is down, metrics, raw webhook bodies, and the port fallback.
import { afterEach, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { Registry, Counter } from 'prom-client';
import { createHttpServer, type HttpServer, type HttpServerOptions } from '../../../src/http/server.js';
import { createLogger } from '../../../src/logger.js';

const logger = createLogger({ level: 'silent' });
const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close(1000)));
});

function make(
  readiness: Array<{ name: string; check(): Promise<void> }> = [],
  more: Pick<HttpServerOptions, 'details' | 'serveRequests' | 'bodyLimitBytes'> = {},
) {
  const registry = new Registry();
  new Counter({ name: 'copilot_test_total', help: 'test', registers: [registry] }).inc(3);
  const s = createHttpServer({ logger, registry, readiness, ...more });
  servers.push(s);
  return s;
}

describe('http server', () => {
  it('answers /healthz, /readyz and /metrics', async () => {
    const s = make([{ name: 'database', check: async () => {} }]);
    const { url } = await s.listen(0, '127.0.0.1');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: ['database'], detail: {} });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('copilot_test_total 3');
  });

  it('answers /readyz 503 naming every dependency that is not reachable', async () => {
    const s = make([
      { name: 'database', check: async () => {} },
      { name: 'queue', check: async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')) },
    ]);
    const { url } = await s.listen(0, '127.0.0.1');
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'unavailable',
      failing: ['queue: connect ECONNREFUSED 127.0.0.1:6379'],
      detail: {},
    });
  });

  it('reports the readiness details beside the checks, and a detail that cannot be read as its error', async () => {
    const s = make([{ name: 'database', check: async () => {} }], {
      details: [
        { name: 'deadLetters', read: async () => ({ count: 2, oldest: '2026-11-20T03:00:00.000Z' }) },
        { name: 'broken', read: async () => Promise.reject(new Error('relation "jobs" does not exist')) },
      ],
    });
    const { url } = await s.listen(0, '127.0.0.1');
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ready',
      checks: ['database'],
      detail: {
        deadLetters: { count: 2, oldest: '2026-11-20T03:00:00.000Z' },
        broken: { error: 'relation "jobs" does not exist' },
      },
    });
  });

  it('serves only health, readiness and metrics when it serves no requests (a worker role)', async () => {
    const s = make([], { serveRequests: false });
    s.webhooks.post('/alertmanager', (_req, res) => void res.status(202).end());
    s.root.post('/slack/events', (_req, res) => void res.status(200).end());
    const { url } = await s.listen(0, '127.0.0.1');
    expect((await fetch(`${url}/webhooks/alertmanager`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${url}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('copilot_test_total 3');
  });

  it('keeps the exact bytes of webhook bodies', async () => {
    const s = make();
    s.webhooks.post('/echo', (req, res) => {
      res.json({ length: req.rawBody?.length, text: req.rawBody?.toString('utf8') });
    });
    const { url } = await s.listen(0, '127.0.0.1');
    const body = '{ "a" :  1 }';
    const res = await fetch(`${url}/webhooks/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(await res.json()).toEqual({ length: body.length, text: body });
  });

  it('answers webhook routes on the fast path with the exact bytes, the same for a gzipped body through express', async () => {
    const s = make([], { bodyLimitBytes: 64 });
    s.webhookRoutes.post('/echo', async (req) => ({
      status: 202,
      body: { text: req.rawBody.toString('utf8'), loopback: req.remoteAddress?.includes('127.0.0.1') ?? false },
    }));
    s.webhookRoutes.post('/boom', async () => Promise.reject(new Error('db down')));
    const { url } = await s.listen(0, '127.0.0.1');
    const body = '{ "a" :  1 }';
    const plain = await fetch(`${url}/webhooks/echo`, { method: 'POST', body });
    expect(plain.status).toBe(202);
    expect(plain.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await plain.json()).toEqual({ text: body, loopback: true });
    const gzipped = await fetch(`${url}/webhooks/echo`, {
      method: 'POST',
      headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' },
      body: gzipSync(body),
    });
    expect(gzipped.status).toBe(202);
    expect(await gzipped.json()).toEqual({ text: body, loopback: true });
    const big = await fetch(`${url}/webhooks/echo`, { method: 'POST', body: 'x'.repeat(65) });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({
      error: 'payload_too_large',
      message: 'The body is larger than the server accepts.',
    });
    const failed = await fetch(`${url}/webhooks/boom`, { method: 'POST', body });
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: 'internal', message: 'Internal error; it has been logged.' });
    // Only POST is a webhook: anything else is express's 404.
    expect((await fetch(`${url}/webhooks/echo`)).status).toBe(404);
  });

  it('serves no webhook route, fast or not, when it serves no requests (a worker role)', async () => {
    const s = make([], { serveRequests: false });
    s.webhookRoutes.post('/alertmanager', async () => ({ status: 202, body: {} }));
    const { url } = await s.listen(0, '127.0.0.1');
    expect((await fetch(`${url}/webhooks/alertmanager`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('moves to the next port when the default one is taken, and fails clearly when told not to', async () => {
    const first = make();
    const { port } = await first.listen(0, '127.0.0.1');
    const second = make();
    const got = await second.listen(port, '127.0.0.1', { tryNextPorts: 5 });
    expect(got.port).toBeGreaterThan(port);
    const third = make();
    await expect(third.listen(port, '127.0.0.1')).rejects.toThrow(`Port ${port} on 127.0.0.1 is already in use`);
  });
});
