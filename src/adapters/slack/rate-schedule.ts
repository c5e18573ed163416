// Spaces Slack Web API calls before Slack has to refuse them: one message a second per channel, each method within its tier.
import { RateLimitedError } from '../../errors.js';

/**
 * Slack's documented tiers (docs.slack.dev/apis/web-api/rate-limits), per method, per workspace, per app: Tier 1 1+
 * a minute, Tier 2 20+, Tier 3 50+, Tier 4 100+. chat.postMessage has its own rule: about one message a second per
 * channel, with a workspace-wide ceiling far above what an incident tool sends.
 */
export const TIER_PER_MINUTE = { 1: 1, 2: 20, 3: 50, 4: 100 } as const;
export type Tier = keyof typeof TIER_PER_MINUTE;

/** The tier of each method the app calls. A method not listed is treated as Tier 2, the most common. */
export const METHOD_TIERS: Readonly<Record<string, Tier>> = {
  'chat.update': 3,
  'chat.postEphemeral': 4,
  'conversations.create': 2,
  'conversations.setTopic': 2,
  'conversations.invite': 3,
  'conversations.open': 3,
  'conversations.join': 3,
  'conversations.history': 3,
  'files.getUploadURLExternal': 4,
  'files.completeUploadExternal': 4,
  'files.uploadV2': 4,
  'users.info': 4,
  'users.lookupByEmail': 3,
  'usergroups.users.list': 2,
};

/** Methods that put a message in a channel: spaced per channel (an edit counts as one, so a digest is not edited faster). */
const PER_CHANNEL = new Set(['chat.postMessage', 'chat.update']);

export interface SlackRateOptions {
  /** Gap between two messages (posts or edits) in one channel. Slack: about one a second. */
  perChannelIntervalMs: number;
  /** Calls per minute of each tier, and how many of them may go at once before the spacing applies. */
  tiers: Record<Tier, { perMinute: number; burst: number }>;
  /**
   * A call that would wait longer than this for its turn is not made: it fails with RateLimitedError, and the job
   * that made it is rescheduled for then (without spending an attempt) instead of holding a worker slot.
   */
  maxWaitMs: number;
}

export const DEFAULT_SLACK_RATE: SlackRateOptions = {
  perChannelIntervalMs: 1000,
  tiers: {
    1: { perMinute: TIER_PER_MINUTE[1], burst: 1 },
    2: { perMinute: TIER_PER_MINUTE[2], burst: 5 },
    3: { perMinute: TIER_PER_MINUTE[3], burst: 10 },
    4: { perMinute: TIER_PER_MINUTE[4], burst: 20 },
  },
  maxWaitMs: 5000,
};

/** The scheduler's time: `now` in ms and a way to wait. Tests inject a manual clock. */
export interface RateClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realRateClock: RateClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

interface Lane {
  intervalMs: number;
  /** How far ahead of now the lane's schedule may run before a call waits (burst - 1 intervals). */
  toleranceMs: number;
  /** When the lane's next call would be due if calls went at exactly the interval (GCRA's theoretical arrival). */
  tat: number;
}

/**
 * A schedule of lanes (one per channel for messages, one per method for its tier). A call takes the first moment
 * every lane it uses has room, and books it at once, so the calls of concurrent jobs in one process never crowd a
 * lane; several processes are kept apart by Slack's 429 and Retry-After, which pause the lane (see `pause`).
 */
export class SlackRateSchedule {
  private readonly options: SlackRateOptions;
  private readonly lanes = new Map<string, Lane>();
  /** Per channel, the message on its way (the next one waits for its answer). */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    options: Partial<SlackRateOptions> = {},
    private readonly clock: RateClock = realRateClock,
  ) {
    this.options = { ...DEFAULT_SLACK_RATE, ...options, tiers: { ...DEFAULT_SLACK_RATE.tiers, ...options.tiers } };
  }

  /** The lanes a call of `method` (in `channel`, when it names one) goes through. */
  lanesOf(method: string, channel?: string): string[] {
    const lanes = [`method:${method}`];
    if (channel && PER_CHANNEL.has(method)) lanes.push(`channel:${channel}`);
    return lanes;
  }

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      if (key.startsWith('channel:')) {
        lane = { intervalMs: this.options.perChannelIntervalMs, toleranceMs: 0, tat: 0 };
      } else {
        const method = key.slice('method:'.length);
        // chat.postMessage is limited per channel only (its workspace-wide ceiling is far above our traffic).
        const spec = method === 'chat.postMessage' ? undefined : this.options.tiers[METHOD_TIERS[method] ?? 2];
        const intervalMs = spec ? 60_000 / spec.perMinute : 0;
        lane = { intervalMs, toleranceMs: spec ? Math.max(0, spec.burst - 1) * intervalMs : 0, tat: 0 };
      }
      this.lanes.set(key, lane);
    }
    return lane;
  }

  /**
   * Books the call's turn and returns how long to wait for it; when that is more than maxWaitMs, books nothing and
   * throws RateLimitedError asking to come back then.
   */
  reserve(method: string, channel?: string, maxWaitMs: number = this.options.maxWaitMs): number {
    const now = this.clock.now();
    // A lane whose schedule is in the past holds nothing: forget it, so a long run's thousand channels cost no memory.
    if (this.lanes.size > 1000) for (const [key, l] of this.lanes) if (l.tat <= now) this.lanes.delete(key);
    const lanes = this.lanesOf(method, channel).map((k) => this.lane(k));
    const at = Math.max(now, ...lanes.map((l) => l.tat - l.toleranceMs));
    const wait = at - now;
    if (wait > maxWaitMs)
      throw new RateLimitedError('slack', `${method}: waiting for its turn (${Math.ceil(wait)} ms)`, {
        retryAfterMs: Math.ceil(wait),
      });
    for (const l of lanes) if (l.intervalMs > 0) l.tat = Math.max(l.tat, at) + l.intervalMs;
    return wait;
  }

  /**
   * Slack answered 429 with Retry-After: nothing goes through the limited lane for `ms` (the channel's, for a message
   * in a channel; else the method's).
   */
  pause(method: string, channel: string | undefined, ms: number): void {
    const until = this.clock.now() + ms;
    const keys = this.lanesOf(method, channel);
    for (const key of keys.length > 1 ? keys.slice(1) : keys) {
      const l = this.lane(key);
      l.tat = Math.max(l.tat, until + l.toleranceMs);
    }
  }

  /**
   * Resolves when a message in `channel` could go at once: the one in flight there answered and the channel's interval
   * passed (that interval waited for at most maxWaitMs), or `leadMs` before that. Books nothing: a caller that builds
   * its message from what is waiting reads it after this, at the last moment, so all that arrived while the channel
   * was busy goes in it; with a lead, the read overlaps the interval's end and the message still goes at its turn
   * (run() waits for it), not a read's time after.
   */
  async channelTurn(channel: string, leadMs = 0): Promise<void> {
    const key = `channel:${channel}`;
    await this.inFlight.get(key);
    const lane = this.lanes.get(key);
    const wait = lane ? Math.min(lane.tat - leadMs - this.clock.now(), this.options.maxWaitMs) : 0;
    if (wait > 0) await this.clock.sleep(wait);
  }

  /**
   * How long a call of `method` would wait now for the method's own tier budget (the workspace-wide lane, not a
   * channel's pace), booking nothing: 0 when it could go at once.
   */
  methodWaitMs(method: string): number {
    const lane = this.lanes.get(`method:${method}`);
    return lane ? Math.max(0, lane.tat - lane.toleranceMs - this.clock.now()) : 0;
  }

  /** Resolves when a call of `method` could go at once under the method's tier budget (waited for at most maxWaitMs). */
  async methodTurn(method: string): Promise<void> {
    const wait = Math.min(this.methodWaitMs(method), this.options.maxWaitMs);
    if (wait > 0) await this.clock.sleep(wait);
  }

  /**
   * Runs `fn` at the call's turn (see reserve). Messages in one channel go one after another: each takes its turn
   * once the one before it was answered, and the channel then stays closed for a full interval, because Slack received
   * the call before it answered, so the next message reaches Slack at least an interval later however the network
   * delayed either (spacing the sends alone met 429s under load).
   */
  async run<T>(method: string, channel: string | undefined, fn: () => Promise<T>, maxWaitMs?: number): Promise<T> {
    const lanes = this.lanesOf(method, channel);
    if (lanes.length === 1) {
      const wait = this.reserve(method, channel, maxWaitMs);
      if (wait > 0) await this.clock.sleep(wait);
      return fn();
    }
    const key = lanes[1]!;
    const before = this.inFlight.get(key) ?? Promise.resolve();
    const mine = before.then(async () => {
      const wait = this.reserve(method, channel, maxWaitMs);
      if (wait > 0) await this.clock.sleep(wait);
      try {
        return await fn();
      } finally {
        const l = this.lane(key);
        l.tat = Math.max(l.tat, this.clock.now() + l.intervalMs);
      }
    });
    const settled = mine.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.set(key, settled);
    try {
      return await mine;
    } finally {
      if (this.inFlight.get(key) === settled) this.inFlight.delete(key);
    }
  }
}
