import { describe, expect, it } from 'vitest';
import { githubError } from '../../../../src/adapters/github/errors.js';
import { isPermanent, retryDelayMs } from '../../../../src/adapters/queue/job-runner.js';
import { isGithubRepo } from '../../../../lib/github-repo.js';

const failure = (status: number | undefined, headers: Record<string, string> = {}) =>
  Object.assign(new Error('boom'), { status, response: { headers } });

describe('githubError', () => {
  it('retries network errors and 5xx, and fails other 4xx for good', () => {
    expect(isPermanent(githubError(failure(undefined), 'x'))).toBe(false);
    expect(isPermanent(githubError(failure(502), 'x'))).toBe(false);
    expect(isPermanent(githubError(failure(404), 'x'))).toBe(true);
    expect(isPermanent(githubError(failure(422), 'x'))).toBe(true);
    expect(isPermanent(githubError(failure(403), 'x'))).toBe(true);
  });

  it("waits GitHub's Retry-After on 429 and on a 403 rate limit, a minute when it gives none", () => {
    const e429 = githubError(failure(429, { 'retry-after': '30' }), 'x');
    expect(isPermanent(e429)).toBe(false);
    expect(e429.retryAfterMs).toBe(30_000);
    expect(retryDelayMs(2_000, 1, e429)).toBe(30_000);
    const secondary = githubError(failure(403, { 'retry-after': '5' }), 'x');
    expect([isPermanent(secondary), secondary.retryAfterMs]).toEqual([false, 5_000]);
    const primary = githubError(failure(403, { 'x-ratelimit-remaining': '0' }), 'x');
    expect([isPermanent(primary), primary.retryAfterMs]).toEqual([false, 60_000]);
  });

  it('says what failed and how', () => {
    expect(githubError(failure(502), 'commit status on a/b@abc').message).toBe(
      'github: commit status on a/b@abc failed (HTTP 502): boom',
    );
  });
});

describe('isGithubRepo', () => {
  it('accepts owner/name as GitHub allows them', () => {
    for (const ok of ['acme/checkout', 'a/b', 'Acme-Corp/web.site_v2', 'x1/.github'])
      expect(isGithubRepo(ok)).toBe(true);
  });
  it('refuses paths and names GitHub would not give', () => {
    for (const bad of [
      '../..',
      'acme/..',
      'acme/.',
      'acme',
      'a/b/c',
      '-acme/x',
      'acme-/x',
      'ac--me/x',
      'acme/ x',
      '',
    ]) {
      expect(isGithubRepo(bad)).toBe(false);
    }
  });
});
