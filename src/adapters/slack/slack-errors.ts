// Slack Web API failures sorted into what a job does next: wait (rate limit), try again (transient) or stop (permanent).
import { ExternalServiceError, RateLimitedError } from '../../errors.js';

interface SlackErrorShape {
  code?: string;
  statusCode?: number;
  data?: { error?: string };
  retryAfter?: number;
  message?: string;
}

/** The Slack error code of a failed call ("name_taken", "ratelimited", ...), when there is one. */
export function slackErrorCode(err: unknown): string | undefined {
  const e = err as SlackErrorShape;
  if (e?.code === 'slack_webapi_rate_limited_error') return 'ratelimited';
  // Any 429 is a rate limit, with or without a usable Retry-After (@slack/web-api then throws a plain Error).
  if (e?.statusCode === 429 || (typeof e?.message === 'string' && e.message.startsWith(NO_RETRY_AFTER))) {
    return 'ratelimited';
  }
  return e?.data?.error;
}

/**
 * Errors no retry can fix: the token, the target or the request itself is wrong. Anything not listed (429, 5xx, a
 * network failure, `ratelimited`, `fatal_error`, `internal_error`, `request_timeout`, an unknown code) is retried:
 * a page must not die of a hiccup.
 */
export const PERMANENT_SLACK_ERRORS: ReadonlySet<string> = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'no_permission',
  'missing_scope',
  'not_allowed_token_type',
  'team_access_not_granted',
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'user_not_found',
  'users_not_found',
  'user_disabled',
  'cannot_dm_bot',
  'invalid_blocks',
  'invalid_arguments',
  'msg_too_long',
  'msg_blocks_too_long',
  'ekm_access_denied',
  'no_text',
  'restricted_action',
]);

/**
 * Permanent errors about the app itself, not the call's target: its token (revoked, wrong type) or its scopes. Every
 * call of the kind fails the same way until an operator acts, so nothing is gained by trying another person. (A
 * refused message, `invalid_blocks` or `msg_blocks_too_long`, is about that one message: not listed.)
 */
export const APP_LEVEL_SLACK_ERRORS: ReadonlySet<string> = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'missing_scope',
  'not_allowed_token_type',
  'team_access_not_granted',
  'no_permission',
  'ekm_access_denied',
]);

/** How @slack/web-api words a 429 whose Retry-After header is missing or unreadable. */
const NO_RETRY_AFTER = 'Retry header did not contain a valid timeout';

/**
 * The wait after a 429 that named none: a second for messages (one a second per channel), three for the other
 * methods (Tier 2 and 3 allow 20 to 50 calls a minute).
 */
export function defaultRetryAfterMs(method?: string): number {
  return !method || method.startsWith('chat.') ? 1000 : 3000;
}

export type SlackFailureKind = 'rate_limited' | 'permanent' | 'retryable';

/** How a failed Slack call should be handled; `retryAfterMs` is set for a rate limit (Slack's Retry-After, in ms). */
export function classifySlackError(
  err: unknown,
  method?: string,
): { kind: SlackFailureKind; code?: string; retryAfterMs?: number } {
  const code = slackErrorCode(err);
  if (code === 'ratelimited') {
    const seconds = (err as SlackErrorShape).retryAfter;
    const retryAfterMs =
      typeof seconds === 'number' && Number.isFinite(seconds)
        ? Math.max(1, seconds) * 1000
        : defaultRetryAfterMs(method);
    return { kind: 'rate_limited', code, retryAfterMs };
  }
  if (code && PERMANENT_SLACK_ERRORS.has(code)) return { kind: 'permanent', code };
  return code ? { kind: 'retryable', code } : { kind: 'retryable' };
}

/** The app's error for a failed Slack call: RateLimitedError, or ExternalServiceError retryable or not. */
export function toSlackAppError(method: string, err: unknown): ExternalServiceError {
  if (err instanceof ExternalServiceError) return err;
  const c = classifySlackError(err, method);
  if (c.kind === 'rate_limited')
    return new RateLimitedError('slack', `${method}: rate limited`, { retryAfterMs: c.retryAfterMs!, cause: err });
  const e = err as SlackErrorShape;
  return new ExternalServiceError('slack', `${method}: ${c.code ?? e?.message ?? 'request failed'}`, {
    retryable: c.kind === 'retryable',
    cause: err,
  });
}

/** The Slack error code carried by an app error made by toSlackAppError, when there is one. */
export function slackCodeOf(err: unknown): string | undefined {
  return err instanceof ExternalServiceError ? slackErrorCode(err.cause) : slackErrorCode(err);
}
