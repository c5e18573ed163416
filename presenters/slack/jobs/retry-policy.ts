// The one retry policy of Slack presenter jobs: chat may be down for hours, and what it failed to show must still show.

/**
 * 20 attempts from 1 s, doubling (the queue caps a delay at an hour): about eight hours of retries before a retryable
 * Slack failure (5xx, network, `internal_error`) dead-letters a presenter job. A rate limit spends no attempt; a
 * permanent error (no such user, a revoked token) stops at once.
 */
export const PRESENTER_RETRY = { attempts: 20, backoffMs: 1000 } as const;
