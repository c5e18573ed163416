// The per-channel posting limit: a burst, then one message per second, each channel on its own.
import { describe, expect, it } from 'vitest';
import { ChannelRateLimiter } from '../../../../sandbox/slack/rate-limit.js';

describe('ChannelRateLimiter', () => {
  it('allows a burst, then asks to wait, then refills over time', () => {
    let now = 0;
    const limiter = new ChannelRateLimiter({ enabled: true, perSecond: 1, burst: 3 }, () => now);
    expect([limiter.take('C1'), limiter.take('C1'), limiter.take('C1')]).toEqual([undefined, undefined, undefined]);
    expect(limiter.take('C1')).toBe(1);
    expect(limiter.take('C2')).toBeUndefined();
    now = 1000;
    expect(limiter.take('C1')).toBeUndefined();
    expect(limiter.take('C1')).toBe(1);
    now = 10_000;
    expect([limiter.take('C1'), limiter.take('C1'), limiter.take('C1'), limiter.take('C1')]).toEqual([
      undefined,
      undefined,
      undefined,
      1,
    ]);
    // Each refusal (a 429 the Web API answers) is counted, so a test can bound them.
    expect(limiter.refused).toBe(3);
  });

  it('never limits when switched off, and can be switched on and off at run time', () => {
    const limiter = new ChannelRateLimiter({ enabled: false, burst: 1 }, () => 0);
    expect(Array.from({ length: 10 }, () => limiter.take('C1')).every((w) => w === undefined)).toBe(true);
    limiter.configure({ enabled: true });
    expect(limiter.take('C1')).toBeUndefined();
    expect(limiter.take('C1')).toBe(1);
    limiter.configure({ enabled: false });
    expect(limiter.take('C1')).toBeUndefined();
  });
});
