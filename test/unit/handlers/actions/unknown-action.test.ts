// A click on a button no listener knows (a message from an older release, a foreign app's button) is acked at once and
// answered to the clicker alone; the known buttons stay with their own listeners, so none is acked twice.
import { describe, expect, it } from 'vitest';
import { ActionIds } from '../../../../blocks/ids.js';
import { UNKNOWN_ACTION_ID, handleUnknownActionClick } from '../../../../handlers/actions/index.js';
import { People, Recorder, handlerContext } from '../../../helpers/handler-context.js';
import { buttonClick } from '../../../helpers/slack-payloads.js';

describe('a button no listener knows', () => {
  it('matches any action_id but the known ones', () => {
    for (const id of Object.values(ActionIds)) expect(UNKNOWN_ACTION_ID.test(id), id).toBe(false);
    for (const id of ['incident_archive', 'incident_acknowledge_v0', 'x_incident_resolve', 'remediation', 'a'])
      expect(UNKNOWN_ACTION_ID.test(id), id).toBe(true);
  });

  it('acks, then tells only the clicker that nothing was done, touching nothing', async () => {
    const rec = new Recorder();
    await handleUnknownActionClick(handlerContext(rec), {
      ack: rec.ack,
      respond: rec.respond,
      body: buttonClick({ actionId: 'incident_archive', value: '12', user: People.sam, channel: 'C0INCIDENT' }),
    });
    expect(rec.log).toEqual(['ack', 'respond']);
    expect(rec.responses).toEqual([
      {
        response_type: 'ephemeral',
        replace_original: false,
        text: 'This button is no longer supported; nothing was done.',
      },
    ]);
    expect(rec.touched).toEqual([]);
  });

  it('still acks a body that names nobody, and answers nobody', async () => {
    const rec = new Recorder();
    await handleUnknownActionClick(handlerContext(rec), { ack: rec.ack, respond: rec.respond, body: {} });
    expect(rec.log).toEqual(['ack']);
  });
});
