// /handoff called without Bolt: what it cannot read is answered with the usage in the ack, touching nothing.
import { describe, expect, it } from 'vitest';
import { handleHandoffCommand } from '../../../../handlers/commands/handoff.js';
import { HANDOFF_USAGE } from '../../../../src/oncall/command-parsing.js';
import { People, Recorder, handlerContext } from '../../../helpers/handler-context.js';
import { slashCommand } from '../../../helpers/slack-payloads.js';

describe('/handoff', () => {
  for (const text of ['help', 'payments checkout']) {
    it(`answers "${text}" with the usage in the ack, touching nothing`, async () => {
      const rec = new Recorder();
      await handleHandoffCommand(handlerContext(rec), {
        ack: rec.ack,
        respond: rec.respond,
        body: slashCommand({ command: '/handoff', text, user: People.priya }),
      });
      expect(rec.log).toEqual(['ack']);
      expect(rec.acks).toEqual([{ response_type: 'ephemeral', text: HANDOFF_USAGE }]);
      expect(rec.touched).toEqual([]);
    });
  }

  it('acks first; a failure after the ack is answered to the person, not thrown', async () => {
    const rec = new Recorder();
    await handleHandoffCommand(handlerContext(rec), {
      ack: rec.ack,
      respond: rec.respond,
      body: slashCommand({ command: '/handoff', text: 'payments', user: People.priya }),
    });
    expect(rec.log).toEqual(['ack', 'respond']);
    expect(rec.acks).toEqual([undefined]);
    // The unit context's database throws when touched, as an outage would.
    expect(rec.touched.length).toBeGreaterThan(0);
    expect(rec.responses).toEqual([
      {
        response_type: 'ephemeral',
        replace_original: false,
        text: 'Something went wrong; the error is in the copilot’s log.',
      },
    ]);
  });
});
