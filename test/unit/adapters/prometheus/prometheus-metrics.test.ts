// The Prometheus adapter against a local HTTP server answering in Prometheus's wire format, errors included.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrometheusMetrics } from '../../../../src/adapters/prometheus/prometheus-metrics.js';
import { fillTemplate } from '../../../../src/adapters/prometheus/promql-template.js';
import { ExternalServiceError } from '../../../../src/errors.js';

type Handler = (req: IncomingMessage, body: URLSearchParams, res: ServerResponse) => void;
const servers: Array<{ close(): void; closeAllConnections(): void }> = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

async function serve(handler: Handler): Promise<{ url: string; seen: URLSearchParams[] }> {
  const seen: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const params = new URLSearchParams(req.method === 'POST' ? raw : ((req.url ?? '').split('?')[1] ?? ''));
      seen.push(params);
      handler(req, params, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const range = { start: Date.parse('2026-04-03T17:00:00Z'), end: Date.parse('2026-04-03T17:02:00Z'), stepMs: 60_000 };
const roles = {
  error_ratio: 'service:http_errors:ratio_rate5m{service="{{service}}"}',
  upstream_error_ratio: 'up_err{service="{{service}}",upstream="{{upstream}}"}',
};

async function failureOf(p: Promise<unknown>): Promise<ExternalServiceError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ExternalServiceError);
  return err as ExternalServiceError;
}

describe('Prometheus metrics adapter', () => {
  it("queries a role's PromQL over the range and returns the matrix", async () => {
    const { url, seen } = await serve((req, _p, res) => {
      expect(req.url).toBe('/prom/api/v1/query_range');
      json(res, 200, {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: { __name__: 'service:http_errors:ratio_rate5m', service: 'search' },
              values: [
                [1775235600, '0.002'],
                [1775235660, '0.31'],
              ],
            },
          ],
        },
      });
    });
    const metrics = createPrometheusMetrics({ baseUrl: `${url}/prom/`, roles });
    const series = await metrics.queryRole('error_ratio', 'search', range);
    expect(series).toEqual([
      {
        metric: { __name__: 'service:http_errors:ratio_rate5m', service: 'search' },
        values: [
          [1775235600, '0.002'],
          [1775235660, '0.31'],
        ],
      },
    ]);
    expect(Object.fromEntries(seen[0]!)).toEqual({
      query: 'service:http_errors:ratio_rate5m{service="search"}',
      start: '1775235600',
      end: '1775235720',
      step: '60s',
    });
  });

  it('widens the step of a long range so Prometheus gets at most 10,000 points per series, in whole seconds', async () => {
    const { url, seen } = await serve((_req, _body, res) =>
      json(res, 200, { status: 'success', data: { resultType: 'matrix', result: [] } }),
    );
    const metrics = createPrometheusMetrics({ baseUrl: url, roles });
    const start = Date.parse('2026-03-04T17:00:00Z');
    await metrics.queryRole('error_ratio', 'search', { start, end: start + 30 * 86_400_000, stepMs: 15_000 });
    await metrics.queryRole('error_ratio', 'search', { start, end: start + 3_600_000, stepMs: 1_500 });
    expect(seen.map((p) => p.get('step'))).toEqual(['260s', '2s']);
  });

  it('reads every upstream when a role names one that is not given', async () => {
    const { url, seen } = await serve((_req, _p, res) =>
      json(res, 200, { status: 'success', data: { resultType: 'matrix', result: [] } }),
    );
    await createPrometheusMetrics({ baseUrl: url, roles }).queryRole('upstream_error_ratio', 'checkout', range);
    expect(seen[0]!.get('query')).toBe('up_err{service="checkout",upstream=~".+"}');
  });

  it('answers an unconfigured role with no series and no request', async () => {
    const { url, seen } = await serve((_req, _p, res) => json(res, 500, {}));
    expect(await createPrometheusMetrics({ baseUrl: url, roles }).queryRole('nope', 'search', range)).toEqual([]);
    expect(seen).toHaveLength(0);
  });

  it('turns a 400 bad_data answer into a non-retryable ExternalServiceError naming the problem', async () => {
    const { url } = await serve((_req, _p, res) =>
      json(res, 400, {
        status: 'error',
        errorType: 'bad_data',
        error: 'invalid parameter "query": 1:5: parse error: unexpected "}"',
      }),
    );
    const err = await failureOf(createPrometheusMetrics({ baseUrl: url, roles }).queryRange('up{', range));
    expect(err.service).toBe('prometheus');
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(
      'prometheus: HTTP 400 bad_data: invalid parameter "query": 1:5: parse error: unexpected "}"',
    );
  });

  it('turns a 503 into a retryable ExternalServiceError', async () => {
    const { url } = await serve((_req, _p, res) => {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '7' });
      res.end('Service Unavailable');
    });
    const err = await failureOf(
      createPrometheusMetrics({ baseUrl: url, roles }).queryRole('error_ratio', 'search', range),
    );
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(7000);
    expect(err.message).toBe('prometheus: HTTP 503 Service Unavailable');
  });

  it('gives up after its timeout with an ExternalServiceError', async () => {
    const { url } = await serve(() => {
      // never answers
    });
    const started = Date.now();
    const err = await failureOf(
      createPrometheusMetrics({ baseUrl: url, roles, timeoutMs: 200 }).queryRole('error_ratio', 'search', range),
    );
    expect(err.message).toBe('prometheus: query timed out after 200 ms');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports an unreachable server as an ExternalServiceError', async () => {
    const { url } = await serve(() => {});
    for (const s of servers.splice(0)) s.close();
    await new Promise((r) => setTimeout(r, 50));
    const err = await failureOf(
      createPrometheusMetrics({ baseUrl: url, roles }).queryRole('error_ratio', 'search', range),
    );
    expect(err.message).toMatch(/^prometheus: unreachable: /);
  });

  it('refuses a result that is not a matrix', async () => {
    const { url } = await serve((_req, _p, res) =>
      json(res, 200, { status: 'success', data: { resultType: 'vector', result: [] } }),
    );
    const err = await failureOf(createPrometheusMetrics({ baseUrl: url, roles }).queryRange('up', range));
    expect(err.message).toBe('prometheus: expected a matrix result, got vector');
  });
});

describe('fillTemplate', () => {
  it('escapes values for a double-quoted label string', () => {
    expect(fillTemplate('m{service="{{service}}"}', { service: 'a"b\\c' })).toBe('m{service="a\\"b\\\\c"}');
  });
  it('fills placeholders outside label matchers too', () => {
    expect(fillTemplate('sum(rate(x{job=~"{{service}}-.*"}[5m]))', { service: 'api' })).toBe(
      'sum(rate(x{job=~"api-.*"}[5m]))',
    );
  });
});

describe('credentials in PROMETHEUS_URL', () => {
  it('are sent as Basic auth, never in the URL', async () => {
    let auth: string | undefined;
    const { url } = await serve((req, _p, res) => {
      auth = req.headers.authorization;
      json(res, 200, { status: 'success', data: { resultType: 'matrix', result: [] } });
    });
    const withCreds = url.replace('http://', 'http://reader:s%40cret@');
    await createPrometheusMetrics({ baseUrl: withCreds, roles }).queryRange('up', range);
    expect(auth).toBe(`Basic ${Buffer.from('reader:s@cret').toString('base64')}`);
  });
});
