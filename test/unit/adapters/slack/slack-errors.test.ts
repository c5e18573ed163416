// Which Slack failures stop a job (permanent), which are retried, and which only ask it to wait (rate limits).
import { describe, expect, it } from 'vitest';
import { classifySlackError, toSlackAppError } from '../../../../src/adapters/slack/slack-errors.js';
import { ExternalServiceError, RateLimitedError } from '../../../../src/errors.js';

/** A failed call as @slack/web-api reports it: platform errors carry data.error, 429s a retryAfter in seconds. */
const platform = (error: string) =>
  Object.assign(new Error(error), { code: 'slack_webapi_platform_error', data: { ok: false, error } });
const rateLimited = (retryAfter: number) =>
  Object.assign(new Error('rate limited'), { code: 'slack_webapi_rate_limited_error', retryAfter });

describe('classifySlackError', () => {
  it.each([
    'channel_not_found',
    'not_in_channel',
    'invalid_auth',
    'account_inactive',
    'user_not_found',
    'cannot_dm_bot',
    'is_archived',
    'token_revoked',
  ])('%s is permanent', (code) => {
    expect(classifySlackError(platform(code))).toEqual({ kind: 'permanent', code });
  });

  it.each(['fatal_error', 'internal_error', 'request_timeout', 'service_unavailable', 'some_new_code'])(
    '%s is retried',
    (code) => {
      expect(classifySlackError(platform(code))).toEqual({ kind: 'retryable', code });
    },
  );

  it('retries a failure with no Slack code (network, HTTP 5xx)', () => {
    const err = Object.assign(new Error('socket hang up'), { code: 'slack_webapi_request_error' });
    expect(classifySlackError(err)).toEqual({ kind: 'retryable' });
  });

  it('a 429 is a rate limit that waits Retry-After seconds, and ratelimited in a body too', () => {
    expect(classifySlackError(rateLimited(7))).toEqual({
      kind: 'rate_limited',
      code: 'ratelimited',
      retryAfterMs: 7000,
    });
    expect(classifySlackError(platform('ratelimited'))).toEqual({
      kind: 'rate_limited',
      code: 'ratelimited',
      retryAfterMs: 1000,
    });
  });
});

describe('toSlackAppError', () => {
  it('turns a 429 into RateLimitedError, a permanent code into a non-retryable error, the rest retryable', () => {
    const limited = toSlackAppError('chat.postMessage', rateLimited(3));
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect(limited.retryAfterMs).toBe(3000);
    const gone = toSlackAppError('chat.postMessage', platform('cannot_dm_bot'));
    expect(gone).not.toBeInstanceOf(RateLimitedError);
    expect(gone.retryable).toBe(false);
    expect(gone.message).toBe('slack: chat.postMessage: cannot_dm_bot');
    const hiccup = toSlackAppError('chat.update', platform('internal_error'));
    expect(hiccup.retryable).toBe(true);
    expect(hiccup).toBeInstanceOf(ExternalServiceError);
  });
});
