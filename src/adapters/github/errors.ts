// How a failed octokit call becomes an ExternalServiceError the queue understands: network errors, 5xx, 429 and
// GitHub's rate limits (403 with Retry-After, or with x-ratelimit-remaining: 0) retry, after Retry-After when GitHub
// gives one; any other 4xx is permanent (retrying a 404 or a 422 cannot help).
import { ExternalServiceError } from '../../errors.js';

/** Used when GitHub says the rate limit is spent but gives no Retry-After (its docs: wait at least a minute). */
const RATE_LIMITED_WAIT_MS = 60_000;

interface OctokitFailure {
  status?: unknown;
  message?: string;
  response?: { headers?: Record<string, string | undefined> };
}

export function githubError(err: unknown, what: string): ExternalServiceError {
  const e = (err ?? {}) as OctokitFailure;
  const status = typeof e.status === 'number' ? e.status : undefined;
  const headers = e.response?.headers ?? {};
  const retryAfterS = Number(headers['retry-after']);
  const asked = Number.isFinite(retryAfterS) && retryAfterS > 0 ? retryAfterS * 1000 : undefined;
  const rateLimited =
    status === 429 || (status === 403 && (asked !== undefined || headers['x-ratelimit-remaining'] === '0'));
  const retryable = status === undefined || status >= 500 || rateLimited;
  const retryAfterMs = asked ?? (rateLimited ? RATE_LIMITED_WAIT_MS : undefined);
  return new ExternalServiceError(
    'github',
    `${what} failed${status ? ` (HTTP ${status})` : ''}: ${e.message ?? String(err)}`,
    { retryable, cause: err, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) },
  );
}
