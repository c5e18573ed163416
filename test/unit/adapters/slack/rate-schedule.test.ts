// The Slack rate schedule on a manual clock: messages one a second per channel, methods within their tier, long waits
// handed back to the queue, and a 429's Retry-After honoured.
import { describe, expect, it } from 'vitest';
import { SlackRateSchedule } from '../../../../src/adapters/slack/rate-schedule.js';
import { manualRateClock } from '../../../helpers/manual-rate-clock.js';
import { RateLimitedError } from '../../../../src/errors.js';

const manualClock = (start?: number) => manualRateClock(start);

describe('SlackRateSchedule', () => {
  it('spaces messages in one channel a second apart, and lets other channels go at once', () => {
    const clock = manualClock();
    const s = new SlackRateSchedule({}, clock);
    expect([1, 2, 3].map(() => s.reserve('chat.postMessage', 'C1'))).toEqual([0, 1000, 2000]);
    expect(s.reserve('chat.postMessage', 'C2')).toBe(0);
    // An edit in the same channel takes the next turn of that channel.
    expect(s.reserve('chat.update', 'C1')).toBe(3000);
  });

  it('runs concurrent calls of one channel in turn, each when its second comes', async () => {
    const clock = manualClock();
    const s = new SlackRateSchedule({}, clock);
    const ran: number[] = [];
    const calls = [0, 1, 2].map((i) => s.run('chat.postMessage', 'D1', async () => ran.push(i)));
    await new Promise((r) => setImmediate(r));
    expect(ran).toEqual([0]);
    await clock.advance(999);
    expect(ran).toEqual([0]);
    await clock.advance(1);
    expect(ran).toEqual([0, 1]);
    await clock.advance(1000);
    await Promise.all(calls);
    expect(ran).toEqual([0, 1, 2]);
  });

  it('keeps a channel closed for an interval after a slow answer, so the next message cannot arrive too soon', async () => {
    const clock = manualClock();
    const s = new SlackRateSchedule({}, clock);
    let answer: () => void = () => {};
    const first = s.run('chat.postMessage', 'C1', () => new Promise<void>((r) => (answer = r)));
    await new Promise((r) => setImmediate(r));
    await clock.advance(700); // Slack takes 700 ms to answer
    answer();
    await first;
    expect(s.reserve('chat.postMessage', 'C1')).toBe(1000);
  });

  it('forgets idle channels once it knows many, and still spaces the busy ones', () => {
    const clock = manualClock();
    const s = new SlackRateSchedule({}, clock);
    for (let i = 0; i < 1001; i++) s.reserve('chat.postMessage', `C${i}`);
    clock.at += 5000;
    s.reserve('chat.postMessage', 'busy');
    expect(s.reserve('chat.postMessage', 'busy')).toBe(1000);
    expect(s.reserve('chat.postMessage', 'C1')).toBe(0);
  });

  it('keeps a method within its tier: Tier 2 allows a burst of 5, then one every 3 s', () => {
    const s = new SlackRateSchedule({ maxWaitMs: 60_000 }, manualClock());
    const waits = Array.from({ length: 7 }, () => s.reserve('conversations.create'));
    expect(waits).toEqual([0, 0, 0, 0, 0, 3000, 6000]);
  });

  it('hands a wait longer than maxWaitMs back as RateLimitedError, booking nothing', () => {
    const clock = manualClock();
    const s = new SlackRateSchedule({ maxWaitMs: 1500 }, clock);
    s.reserve('chat.postMessage', 'C1');
    s.reserve('chat.postMessage', 'C1');
    let err: unknown;
    try {
      s.reserve('chat.postMessage', 'C1');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(2000);
    // Nothing was booked: the next call still gets the turn at 2 s, which is within reach once time has moved.
    clock.now = () => 1_000_000 + 1000;
    expect(s.reserve('chat.postMessage', 'C1')).toBe(1000);
  });

  it('pauses the refused channel for Retry-After, and only that channel', () => {
    const clock = manualClock();
    const s = new SlackRateSchedule({ maxWaitMs: 60_000 }, clock);
    s.pause('chat.postMessage', 'C1', 30_000);
    expect(s.reserve('chat.postMessage', 'C1')).toBe(30_000);
    expect(s.reserve('chat.postMessage', 'C2')).toBe(0);
    s.pause('users.info', undefined, 5000);
    expect(s.reserve('users.info')).toBe(5000);
  });
  it("tells how long an edit would wait for chat.update's workspace-wide tier, and waits for it, booking nothing", async () => {
    const clock = manualClock();
    const s = new SlackRateSchedule({}, clock);
    expect(s.methodWaitMs('chat.update')).toBe(0);
    // Tier 3: ten edits at once (its burst), in ten channels; the eleventh waits 1.2 s (50 a minute).
    for (let i = 0; i < 10; i++) expect(s.reserve('chat.update', `C${i}`)).toBe(0);
    expect(s.methodWaitMs('chat.update')).toBe(1200);
    // Posting is not held by it, and asking twice booked nothing.
    expect(s.methodWaitMs('chat.postMessage')).toBe(0);
    expect(s.methodWaitMs('chat.update')).toBe(1200);
    let ready = false;
    void s.methodTurn('chat.update').then(() => (ready = true));
    await clock.advance(1199);
    expect(ready).toBe(false);
    await clock.advance(1);
    expect(ready).toBe(true);
    expect(s.methodWaitMs('chat.update')).toBe(0);
    expect(s.reserve('chat.update', 'C99')).toBe(0);
  });

  it("channelTurn resolves once the channel's message in flight answered and its interval passed, booking nothing", async () => {
    const clock = manualClock();
    const s = new SlackRateSchedule({}, clock);
    // A free channel: at once.
    let ready = false;
    void s.channelTurn('C9').then(() => (ready = true));
    await clock.advance(0);
    expect(ready).toBe(true);
    // A message in flight: not before it is answered, then a full interval.
    let answer = () => {};
    const inFlight = s.run('chat.update', 'C9', () => new Promise<void>((r) => (answer = r)));
    await clock.advance(0);
    ready = false;
    void s.channelTurn('C9').then(() => (ready = true));
    await clock.advance(5000);
    expect(ready).toBe(false);
    answer();
    await inFlight;
    await clock.advance(999);
    expect(ready).toBe(false);
    await clock.advance(1);
    expect(ready).toBe(true);
    // It booked nothing: the next message goes at once.
    expect(s.reserve('chat.postMessage', 'C9')).toBe(0);
  });

  it('channelTurn with a lead resolves that much before the turn, and the message itself still waits for the turn', async () => {
    const clock = manualClock();
    const s = new SlackRateSchedule({}, clock);
    const sent: number[] = [];
    await s.run('chat.postMessage', 'C7', async () => void sent.push(clock.now()));
    const first = clock.now();
    let ready = false;
    void s.channelTurn('C7', 200).then(() => (ready = true));
    await clock.advance(799);
    expect(ready).toBe(false);
    await clock.advance(1);
    expect(ready).toBe(true);
    // Read at the lead; the post goes at the channel's second, not before.
    const post = s.run('chat.postMessage', 'C7', async () => void sent.push(clock.now()));
    await clock.advance(199);
    expect(sent).toHaveLength(1);
    await clock.advance(1);
    await post;
    expect(sent).toEqual([first, first + 1000]);
  });
});
