// /oncall called without Bolt: usage for what it cannot read, and a swap by someone outside the rotation refused with
// an explanation only they see, before anything is written.
import { describe, expect, it } from 'vitest';
import { handleOncallCommand } from '../../../../handlers/commands/oncall.js';
import { ONCALL_USAGE } from '../../../../src/oncall/command-parsing.js';
import { People, Recorder, handlerContext } from '../../../helpers/handler-context.js';
import { slashCommand } from '../../../helpers/slack-payloads.js';

async function run(text: string, user: string = People.priya): Promise<Recorder> {
  const rec = new Recorder();
  await handleOncallCommand(handlerContext(rec), {
    ack: rec.ack,
    respond: rec.respond,
    body: slashCommand({ command: '/oncall', text, user }),
  });
  return rec;
}

describe('/oncall', () => {
  it('answers text it cannot read with why and the usage, in the ack itself', async () => {
    const rec = await run('payments checkout');
    expect(rec.log).toEqual(['ack']);
    expect(rec.acks).toEqual([{ response_type: 'ephemeral', text: `give one team or service name.\n${ONCALL_USAGE}` }]);
    expect(rec.touched).toEqual([]);
  });

  it('answers help with the usage alone', async () => {
    const rec = await run('help');
    expect(rec.acks).toEqual([{ response_type: 'ephemeral', text: ONCALL_USAGE }]);
  });

  it('answers a body without a user with the usage', async () => {
    const rec = new Recorder();
    const { user_id: _user, ...body } = slashCommand({ command: '/oncall', text: '', user: People.priya });
    await handleOncallCommand(handlerContext(rec), { ack: rec.ack, respond: rec.respond, body });
    expect(rec.acks).toEqual([{ response_type: 'ephemeral', text: ONCALL_USAGE }]);
  });

  it('acks first, then tells the person a team that does not exist was not found', async () => {
    const rec = await run('billing');
    expect(rec.log).toEqual(['ack', 'respond']);
    expect(rec.acks).toEqual([undefined]);
    expect(rec.responses).toEqual([
      {
        response_type: 'ephemeral',
        replace_original: false,
        text: 'A team or service called "billing" with an owning team was not found.',
      },
    ]);
    expect(rec.touched).toEqual([]);
  });

  it('refuses a swap by someone outside the rotation with who may, to them alone, writing nothing', async () => {
    const rec = await run(`swap <@${People.sam}> now for 4h`, People.ben);
    expect(rec.log).toEqual(['ack', 'respond']);
    expect(rec.responses).toEqual([
      {
        response_type: 'ephemeral',
        replace_original: false,
        text: `Only the on-call for the payments rotation (<@${People.priya}>, <@${People.sam}>) or the lead of payments (<@${People.maria}>) may swap on-call on the payments rotation.`,
      },
    ]);
    expect(rec.touched).toEqual([]);
  });
});
