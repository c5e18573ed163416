// Per-channel token bucket for chat.postMessage: Slack allows about one message per second per channel, with bursts.

/** Rate limit settings; tests switch it on to see the app back off, and off to stay fast. */
export interface RateLimitOptions {
  enabled: boolean;
  /** Sustained messages per second per channel. */
  perSecond: number;
  /** Messages allowed at once before the limit applies. */
  burst: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { enabled: false, perSecond: 1, burst: 3 };

/** Token buckets keyed by channel. */
export class ChannelRateLimiter {
  private options: RateLimitOptions;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** Calls refused (answered 429 with Retry-After) since the limiter was made. */
  refused = 0;

  constructor(
    options: Partial<RateLimitOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.options = { ...DEFAULT_RATE_LIMIT, ...options };
  }

  configure(options: Partial<RateLimitOptions>): void {
    this.options = { ...this.options, ...options };
    this.buckets.clear();
  }

  get settings(): RateLimitOptions {
    return { ...this.options };
  }

  /** Takes one token for the key; returns undefined when allowed, else the seconds to wait (whole, at least 1). */
  take(key: string): number | undefined {
    if (!this.options.enabled) return undefined;
    const now = this.now();
    const { perSecond, burst } = this.options;
    const b = this.buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return undefined;
    }
    this.refused++;
    return Math.max(1, Math.ceil((1 - b.tokens) / perSecond));
  }
}
