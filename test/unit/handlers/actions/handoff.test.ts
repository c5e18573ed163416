// The handoff's confirm buttons called without Bolt: ack first; a value that is not "<handoff id>:<role>" is answered
// to the clicker alone without reaching the database. (Confirmations themselves: test/integration/handlers/.)
import { describe, expect, it } from 'vitest';
import { ActionIds } from '../../../../blocks/ids.js';
import { handleHandoffConfirmClick } from '../../../../handlers/actions/handoff.js';
import { People, Recorder, handlerContext } from '../../../helpers/handler-context.js';
import { buttonClick } from '../../../helpers/slack-payloads.js';

describe('the handoff confirm buttons', () => {
  for (const value of ['12', '12:someone', '0:outgoing', 'x:incoming']) {
    it(`acks, then tells only the clicker that "${value}" names no handoff, touching nothing`, async () => {
      const rec = new Recorder();
      await handleHandoffConfirmClick(handlerContext(rec), {
        ack: rec.ack,
        respond: rec.respond,
        body: buttonClick({ actionId: ActionIds.confirmHandoff, value, user: People.sam, channel: 'C0ONCALL' }),
      });
      expect(rec.log).toEqual(['ack', 'respond']);
      expect(rec.responses).toEqual([
        {
          response_type: 'ephemeral',
          replace_original: false,
          text: 'That button does not name a valid handoff; nothing was done.',
        },
      ]);
      expect(rec.touched).toEqual([]);
    });
  }

  it('acks before the use case reads the handoff', async () => {
    const rec = new Recorder();
    const body = buttonClick({
      actionId: ActionIds.confirmHandoffIncoming,
      value: '12:incoming',
      user: People.sam,
      channel: 'C0ONCALL',
    });
    await expect(
      handleHandoffConfirmClick(handlerContext(rec), { ack: rec.ack, respond: rec.respond, body }),
    ).rejects.toThrow(/reached the database/);
    expect(rec.log[0]).toBe('ack');
    expect(rec.touched).toContain('database(handoffs)');
  });
});
