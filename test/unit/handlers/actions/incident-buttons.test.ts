// The briefing's buttons called without Bolt: each acks first, and a value that is not an incident id is answered to
// the clicker alone without reaching the database. (The use cases behind them: test/integration/handlers/.)
import { describe, expect, it } from 'vitest';
import { ActionIds } from '../../../../blocks/ids.js';
import {
  handleAcknowledgeClick,
  handleEscalateClick,
  handleResolveClick,
  handleShowEvidenceClick,
} from '../../../../handlers/actions/incident-buttons.js';
import { People, Recorder, handlerContext } from '../../../helpers/handler-context.js';
import { buttonClick } from '../../../helpers/slack-payloads.js';

const buttons = [
  ['Acknowledge', ActionIds.acknowledge, handleAcknowledgeClick],
  ['Escalate', ActionIds.escalate, handleEscalateClick],
  ['Resolve', ActionIds.resolve, handleResolveClick],
  ['Show evidence', ActionIds.showEvidence, handleShowEvidenceClick],
] as const;

const NOT_AN_INCIDENT = 'That button does not name a valid incident; nothing was done.';

describe.each(buttons)('the %s button', (_name, actionId, handle) => {
  for (const [what, value] of [
    ['a value that is not a number', 'INC-42'],
    ['an id beyond Postgres integer', '2147483648'],
    ['a zero id', '0'],
  ]) {
    it(`acks, then tells only the clicker about ${what}, touching nothing`, async () => {
      const rec = new Recorder();
      const ctx = handlerContext(rec);
      await handle(ctx, {
        ack: rec.ack,
        respond: rec.respond,
        client: rec.client,
        body: buttonClick({ actionId, value, user: People.priya }),
      });
      expect(rec.log).toEqual(['ack', 'respond']);
      expect(rec.responses).toEqual([{ response_type: 'ephemeral', replace_original: false, text: NOT_AN_INCIDENT }]);
      expect(rec.touched).toEqual([]);
      expect(rec.opened).toEqual([]);
    });
  }

  it('answers through chat.postEphemeral in the click’s channel when the response_url has expired', async () => {
    const rec = new Recorder();
    rec.respondFails = true;
    await handle(handlerContext(rec), {
      ack: rec.ack,
      respond: rec.respond,
      client: rec.client,
      body: buttonClick({ actionId, value: 'x', user: People.ben, channel: 'C0INC7' }),
    });
    expect(rec.log).toEqual(['ack', 'respond', 'chat.postEphemeral']);
    expect(rec.ephemerals()).toEqual([['C0INC7', People.ben, NOT_AN_INCIDENT]]);
    expect(rec.touched).toEqual([]);
  });

  it('acks a click with no user and says nothing, since there is no one to tell', async () => {
    const rec = new Recorder();
    const { user: _user, ...body } = buttonClick({ actionId, value: '42', user: People.priya });
    await handle(handlerContext(rec), { ack: rec.ack, respond: rec.respond, client: rec.client, body });
    expect(rec.log).toEqual(['ack']);
    expect(rec.touched).toEqual([]);
  });

  it('acks before it reaches the use case, which looks the incident up', async () => {
    const rec = new Recorder();
    // The unit context's database throws when touched: the lookup fails after the ack, as an outage would.
    await expect(
      handle(handlerContext(rec), {
        ack: rec.ack,
        respond: rec.respond,
        client: rec.client,
        body: buttonClick({ actionId, value: '42', user: People.priya }),
      }),
    ).rejects.toThrow(/reached the database/);
    expect(rec.log[0]).toBe('ack');
    expect(rec.touched.length).toBeGreaterThan(0);
    expect(rec.responses).toEqual([]);
  });
});
