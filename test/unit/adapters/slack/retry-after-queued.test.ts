// A 429's Retry-After holds the channel's next message too, when that message was already queued behind the refused
// one (the pause is applied before the channel is let go). A WebClient stand-in that refuses the first post.
import type { WebClient } from '@slack/web-api';
import { expect, it } from 'vitest';
import { createSlackChatNotifier } from '../../../../src/adapters/slack/chat-notifier.js';
import { RateLimitedError } from '../../../../src/errors.js';
import { createLogger } from '../../../../src/logger.js';
import { manualRateClock } from '../../../helpers/manual-rate-clock.js';

it("a message queued behind a refused one waits for the 429's Retry-After, not only the channel's second", async () => {
  const clock = manualRateClock(1_000_000, 100);
  const sent: Array<{ text: string; at: number }> = [];
  let refuse = true;
  const client = {
    chat: {
      postMessage: async (args: { text: string }) => {
        sent.push({ text: args.text, at: clock.now() });
        if (refuse) {
          refuse = false;
          throw Object.assign(new Error('An API error occurred: ratelimited'), {
            code: 'slack_webapi_rate_limited_error',
            retryAfter: 4,
          });
        }
        return { ok: true, channel: 'C1', ts: `${sent.length}.0` };
      },
    },
  } as unknown as WebClient;
  const chat = createSlackChatNotifier(client, createLogger({ level: 'silent' }), { clock });
  const first = chat.postMessage('C1', 'one').catch((e: unknown) => e);
  const second = chat.postMessage('C1', 'two');
  await clock.advance(6000);
  expect(await first).toBeInstanceOf(RateLimitedError);
  await second;
  expect(sent.map((s) => s.text)).toEqual(['one', 'two']);
  // Slack said 4 s: the queued message went no sooner.
  expect(sent[1]!.at - sent[0]!.at).toBeGreaterThanOrEqual(4000);
});
