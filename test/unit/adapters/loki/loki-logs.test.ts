// The Loki adapter against recorded query_range responses (test/fixtures/loki) served by a local HTTP server.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLokiLogs, levelOf } from '../../../../src/adapters/loki/loki-logs.js';
import { ExternalServiceError } from '../../../../src/errors.js';

const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/loki/${name}`, import.meta.url), 'utf8');

const servers: Array<ReturnType<typeof createServer>> = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; seen: URL[] }> {
  const seen: URL[] = [];
  const server = createServer((req, res) => {
    seen.push(new URL(req.url ?? '/', 'http://loki'));
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const sendFixture = (name: string) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(fixture(name));
};

const range = { start: Date.parse('2026-04-03T14:45:00Z'), end: Date.parse('2026-04-03T17:45:00Z'), stepMs: 60_000 };
const opts = { selector: '{service="{{service}}"}', limit: 500 };

describe('Loki logs adapter', () => {
  it("asks Loki for the service's streams over the range and merges them oldest first", async () => {
    const { url, seen } = await serve(sendFixture('query-range-search.json'));
    const lines = await createLokiLogs({ baseUrl: url, ...opts }).search({
      service: 'search',
      contains: 'a "b"',
      range,
      limit: 50,
    });
    expect(seen[0]!.pathname).toBe('/loki/api/v1/query_range');
    expect(Object.fromEntries(seen[0]!.searchParams)).toEqual({
      query: '{service="search"} |= "a \\"b\\""',
      start: '1775227500000000000',
      end: '1775238300000000000',
      limit: '50',
      direction: 'backward',
    });
    expect(lines).toEqual([
      {
        ts: '2026-04-03T17:19:40.123Z',
        service: 'search',
        level: 'info',
        line: 'search started: version f63dada, 8 workers',
      },
      {
        ts: '2026-04-03T17:28:10.123Z',
        service: 'search',
        level: 'error',
        line: "TypeError: Cannot read properties of undefined (reading 'locale') at ManifestBuilder.handle (src/manifestbuilder.ts:344)",
      },
      {
        ts: '2026-04-03T17:29:28.123Z',
        service: 'search',
        level: 'error',
        line: 'unhandled exception in request handler: ManifestBuilder.handle failed',
      },
      { ts: '2026-04-03T17:29:55.123Z', service: 'search', level: 'info', line: 'GET /search?q=boots 500 41ms' },
      {
        ts: '2026-04-03T17:30:32.123Z',
        service: 'search',
        level: 'error',
        line: "TypeError: Cannot read properties of undefined (reading 'locale') at ManifestBuilder.handle (src/manifestbuilder.ts:344)",
      },
    ]);
  });

  it('filters by level and keeps the newest lines within the limit', async () => {
    const { url, seen } = await serve(sendFixture('query-range-search.json'));
    const lines = await createLokiLogs({ baseUrl: url, ...opts }).search({
      service: 'search',
      level: 'error',
      range,
      limit: 2,
    });
    expect(seen[0]!.searchParams.get('limit')).toBe('500');
    expect(lines.map((l) => [l.ts, l.level])).toEqual([
      ['2026-04-03T17:29:28.123Z', 'error'],
      ['2026-04-03T17:30:32.123Z', 'error'],
    ]);
  });

  it('reads levels from the line when the stream has no level label', async () => {
    const { url } = await serve(sendFixture('query-range-checkout-no-level-label.json'));
    const lines = await createLokiLogs({ baseUrl: url, ...opts }).search({ service: 'checkout', range });
    expect(lines.map((l) => [l.service, l.level])).toEqual([
      ['checkout', 'info'],
      ['checkout', 'warn'],
      ['checkout', 'error'],
    ]);
  });

  it('selects every service when none is named', async () => {
    const { url, seen } = await serve(sendFixture('query-range-empty.json'));
    expect(await createLokiLogs({ baseUrl: url, ...opts }).search({ range })).toEqual([]);
    expect(seen[0]!.searchParams.get('query')).toBe('{service=~".+"}');
  });

  it("turns Loki's plain-text 400 into a non-retryable ExternalServiceError", async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('parse error at line 1, col 10: syntax error: unexpected IDENTIFIER\n');
    });
    const err = await createLokiLogs({ baseUrl: url, ...opts })
      .search({ service: 'search', range })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExternalServiceError);
    expect((err as ExternalServiceError).retryable).toBe(false);
    expect((err as Error).message).toBe(
      'loki: HTTP 400 parse error at line 1, col 10: syntax error: unexpected IDENTIFIER',
    );
  });

  it('turns a 503 and a timeout into retryable ExternalServiceErrors', async () => {
    const down = await serve((_req, res) => {
      res.writeHead(503);
      res.end('too many outstanding requests');
    });
    const e1 = await createLokiLogs({ baseUrl: down.url, ...opts })
      .search({ range })
      .catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(ExternalServiceError);
    expect((e1 as ExternalServiceError).retryable).toBe(true);
    const slow = await serve(() => {});
    const e2 = await createLokiLogs({ baseUrl: slow.url, ...opts, timeoutMs: 150 })
      .search({ range })
      .catch((e: unknown) => e);
    expect((e2 as Error).message).toBe('loki: query timed out after 150 ms');
  });
});

describe('levelOf', () => {
  it('prefers the stream label, then logfmt, JSON and a leading tag', () => {
    expect(levelOf({ detected_level: 'WARNING' }, 'level=error x')).toBe('warn');
    expect(levelOf({}, 'ts=1 level="debug" msg=x')).toBe('debug');
    expect(levelOf({}, '{"severity":"CRITICAL"}')).toBe('error');
    expect(levelOf({}, '[ERROR] boom')).toBe('error');
    expect(levelOf({}, 'plain text')).toBe('info');
  });
});
