// /incident called without Bolt: usage for what it cannot read (in the ack), the declare form opened where the command
// was typed, and a failure after the ack answered to the person. (Subcommands on a database: test/integration/handlers/.)
import { describe, expect, it } from 'vitest';
import { buildDeclareModal } from '../../../../blocks/modals.js';
import { handleIncidentCommand } from '../../../../handlers/commands/incident.js';
import { INCIDENT_USAGE } from '../../../../src/oncall/command-parsing.js';
import { People, Recorder, handlerContext } from '../../../helpers/handler-context.js';
import { slashCommand } from '../../../helpers/slack-payloads.js';

async function run(
  text: string,
  body: Record<string, string> = slashCommand({ command: '/incident', text, user: People.priya, channel: 'C0GENERAL' }),
): Promise<Recorder> {
  const rec = new Recorder();
  await handleIncidentCommand(handlerContext(rec), { ack: rec.ack, respond: rec.respond, client: rec.client, body });
  return rec;
}

describe('/incident', () => {
  for (const [text, why] of [
    ['page everyone', 'unknown subcommand `page`'],
    ['sev 4', '`sev` takes 1, 2 or 3'],
    ['commander maria', '`commander` takes one @mention'],
    ['ack now', '`ack` takes no arguments'],
  ]) {
    it(`answers "${text}" with why and the usage in the ack, touching nothing`, async () => {
      const rec = await run(text);
      expect(rec.log).toEqual(['ack']);
      expect(rec.acks).toEqual([{ response_type: 'ephemeral', text: `${why}.\n${INCIDENT_USAGE}` }]);
      expect(rec.touched).toEqual([]);
    });
  }

  it('answers help, and no subcommand, with the usage alone', async () => {
    for (const text of ['help', ''])
      expect((await run(text)).acks).toEqual([{ response_type: 'ephemeral', text: INCIDENT_USAGE }]);
  });

  it('answers a body without a trigger_id with the usage (nothing could open a form)', async () => {
    const { trigger_id: _trigger, ...body } = slashCommand({
      command: '/incident',
      text: 'declare',
      user: People.priya,
    });
    expect((await run('', body)).acks).toEqual([{ response_type: 'ephemeral', text: INCIDENT_USAGE }]);
  });

  it('acks, then opens the declare form with the title typed and the configured services, for the channel it was typed in', async () => {
    const rec = await run('declare Checkout is failing');
    expect(rec.log).toEqual(['ack', 'views.open']);
    expect(rec.acks).toEqual([undefined]);
    expect(rec.opened).toEqual([
      {
        trigger_id: '8123456789.1234567890.0a1b2c3d4e5f',
        view: buildDeclareModal({ title: 'Checkout is failing', services: ['checkout'], channelId: 'C0GENERAL' }),
      },
    ]);
    expect(rec.touched).toEqual([]);
  });

  it('acks first; a failure after the ack is answered to the person, not thrown', async () => {
    const rec = await run('ack');
    expect(rec.log).toEqual(['ack', 'respond']);
    expect(rec.touched).toContain('database(incidents)');
    expect(rec.responses).toEqual([
      {
        response_type: 'ephemeral',
        replace_original: false,
        text: 'Something went wrong; the error is in the copilot’s log.',
      },
    ]);
  });
});
