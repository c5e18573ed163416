// The Web API's error answer: `{ ok: false, error }`, or HTTP 429 with Retry-After when rate limited.

/** A Web API error: answered as `{ ok: false, error: code, ...extra }`; with retryAfterSeconds, as HTTP 429. */
export class SlackApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
    readonly retryAfterSeconds?: number,
  ) {
    super(code);
  }
}
