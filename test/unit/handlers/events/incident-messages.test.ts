// The message listener called without Bolt: edits, joins and bot posts (our own briefing among them) are not people
// talking and never reach the timeline. (A person's message joining the timeline: test/integration/handlers/.)
import { describe, expect, it } from 'vitest';
import { handleChannelMessage } from '../../../../handlers/events/incident-messages.js';
import { People, Recorder, handlerContext } from '../../../helpers/handler-context.js';
import { messageEvent } from '../../../helpers/slack-payloads.js';

describe('a message in a channel', () => {
  for (const [what, event] of [
    [
      'an edit',
      messageEvent({ channel: 'C0INC42', user: People.priya, text: 'typo fixed', subtype: 'message_changed' }),
    ],
    [
      'a join',
      messageEvent({
        channel: 'C0INC42',
        user: People.sam,
        text: '<@U0SAM> has joined the channel',
        subtype: 'channel_join',
      }),
    ],
    ['a bot post', messageEvent({ channel: 'C0INC42', user: 'U0COPILOT', text: 'briefing', botId: 'B0COPILOT' })],
    ['an event without a user', { type: 'message', channel: 'C0INC42', text: 'hello', ts: '1764064860.000300' }],
  ] as const) {
    it(`ignores ${what}, touching nothing`, async () => {
      const rec = new Recorder();
      await handleChannelMessage(handlerContext(rec), { event });
      expect(rec.log).toEqual([]);
      expect(rec.touched).toEqual([]);
    });
  }

  it('looks a person’s message’s channel up to find its incident', async () => {
    const rec = new Recorder();
    await expect(
      handleChannelMessage(handlerContext(rec), {
        event: messageEvent({ channel: 'C0INC42', user: People.priya, text: 'rolling back now' }),
      }),
    ).rejects.toThrow(/reached the database/);
    expect(rec.touched).toEqual(['database(incidents)']);
  });
});
