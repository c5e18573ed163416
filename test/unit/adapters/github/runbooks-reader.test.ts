// Reading runbooks from GitHub maps failures as every GitHub call does: a rate-limited 403 is retried after GitHub's
// wait, a 404 is not.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitHubRunbookRepository } from '../../../../src/adapters/github/runbooks-reader.js';
import { ExternalServiceError } from '../../../../src/errors.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function github(status: number, headers: Record<string, string>): Promise<string> {
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ message: 'no' }));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function failure(status: number, headers: Record<string, string> = {}): Promise<ExternalServiceError> {
  const repo = createGitHubRunbookRepository({ token: 't', baseUrl: await github(status, headers), repo: 'acme/ops' });
  const err = await repo.listFiles().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ExternalServiceError);
  return err as ExternalServiceError;
}

describe('reading runbooks from GitHub', () => {
  it('retries a 403 that says the rate limit is spent, after the wait GitHub gives', async () => {
    const err = await failure(403, { 'x-ratelimit-remaining': '0', 'retry-after': '7' });
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(7000);
    expect(err.message).toContain('reading acme/ops/runbooks failed (HTTP 403)');
  });

  it('does not retry a 404', async () => {
    expect((await failure(404)).retryable).toBe(false);
  });
});
