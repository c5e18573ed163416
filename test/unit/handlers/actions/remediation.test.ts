// The remediation buttons called without Bolt: each acks first, and a value that is not a remediation run is answered
// to the clicker alone without reaching the database. (Approvals themselves: test/integration/handlers/.)
import { describe, expect, it } from 'vitest';
import { ActionIds } from '../../../../blocks/ids.js';
import {
  handleApproveRemediationClick,
  handleRejectRemediationClick,
  handleUndoRemediationClick,
} from '../../../../handlers/actions/remediation.js';
import { encodeRemediationButton } from '../../../../src/remediation/button-value.js';
import { People, Recorder, handlerContext } from '../../../helpers/handler-context.js';
import { buttonClick } from '../../../helpers/slack-payloads.js';

const buttons = [
  ['Approve', ActionIds.approveRemediation, handleApproveRemediationClick],
  ['Reject', ActionIds.rejectRemediation, handleRejectRemediationClick],
  ['Undo', ActionIds.undoRemediation, handleUndoRemediationClick],
] as const;

describe.each(buttons)('the %s button', (_name, actionId, handle) => {
  for (const [what, value] of [
    ['an incident id instead of a run', '42'],
    ['a run id beyond Postgres integer', encodeRemediationButton(1).replace(/\d+$/, '99999999999')],
  ]) {
    it(`acks, then tells only the clicker about ${what}, touching nothing`, async () => {
      const rec = new Recorder();
      await handle(handlerContext(rec), {
        ack: rec.ack,
        respond: rec.respond,
        body: buttonClick({ actionId, value, user: People.priya }),
      });
      expect(rec.log).toEqual(['ack', 'respond']);
      expect(rec.responses).toEqual([
        {
          response_type: 'ephemeral',
          replace_original: false,
          text: 'That button does not name a valid remediation; nothing was done.',
        },
      ]);
      expect(rec.touched).toEqual([]);
    });
  }

  it('acks before the use case reads the run', async () => {
    const rec = new Recorder();
    await expect(
      handle(handlerContext(rec), {
        ack: rec.ack,
        respond: rec.respond,
        body: buttonClick({ actionId, value: encodeRemediationButton(7), user: People.priya }),
      }),
    ).rejects.toThrow(/reached the database/);
    expect(rec.log[0]).toBe('ack');
    expect(rec.touched.length).toBeGreaterThan(0);
  });
});
