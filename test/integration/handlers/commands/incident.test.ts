// /incident in an incident channel, called without Bolt, with the real use cases on PGlite: the on-call acknowledges
// and changes severity; a bystander is told who may, and nothing changes.
import { describe, expect, it } from 'vitest';
import { handleIncidentCommand } from '../../../../handlers/commands/incident.js';
import { findIncident } from '../../../../src/incidents/repository.js';
import {
  People,
  Recorder,
  handlerContext,
  insertIncident,
  useHandlerDatabase,
} from '../../../helpers/handler-context.js';
import { slashCommand } from '../../../helpers/slack-payloads.js';

const pg = useHandlerDatabase();

async function run(text: string, user: string, channel: string): Promise<Recorder> {
  const rec = new Recorder();
  await handleIncidentCommand(handlerContext(rec, pg), {
    ack: rec.ack,
    respond: rec.respond,
    client: rec.client,
    body: slashCommand({ command: '/incident', text, user, channel }),
  });
  return rec;
}

const ephemeral = (text: string) => ({ response_type: 'ephemeral', replace_original: false, text });

describe('/incident in an incident channel', () => {
  it('ack by the on-call: acks, then acknowledges and says paging stopped', async () => {
    const { id, publicId } = await insertIncident(handlerContext(new Recorder(), { db: pg.db }), {
      channelId: 'C0CMD1',
    });
    const rec = await run('ack', People.priya, 'C0CMD1');
    expect(rec.log).toEqual(['ack', 'respond']);
    expect(rec.responses).toEqual([ephemeral(`${publicId} acknowledged: paging stopped.`)]);
    expect((await findIncident(pg.db.knex, id))?.status).toBe('acknowledged');
  });

  it('sev by a bystander: tells them who may, and the severity stays', async () => {
    const { id, publicId } = await insertIncident(handlerContext(new Recorder(), { db: pg.db }), {
      channelId: 'C0CMD2',
      severity: 'sev3',
    });
    const rec = await run('sev 1', People.ben, 'C0CMD2');
    expect(rec.log).toEqual(['ack', 'respond']);
    expect(rec.responses).toEqual([
      ephemeral(
        `Only the on-call for checkout (<@${People.priya}>), the commander (none yet) or the responders the copilot invited may change the severity of ${publicId}.`,
      ),
    ]);
    expect((await findIncident(pg.db.knex, id))?.severity).toBe('sev3');
  });

  it('sev by the on-call: changes it and says from what', async () => {
    const { id, publicId } = await insertIncident(handlerContext(new Recorder(), { db: pg.db }), {
      channelId: 'C0CMD3',
      severity: 'sev3',
    });
    const rec = await run('sev 1', People.priya, 'C0CMD3');
    expect(rec.responses).toEqual([ephemeral(`${publicId} is now SEV1 (was SEV3).`)]);
    expect((await findIncident(pg.db.knex, id))?.severity).toBe('sev1');
  });

  it('ack outside an incident channel: says to run it in one', async () => {
    const rec = await run('ack', People.priya, 'C0GENERAL');
    expect(rec.responses).toEqual([
      ephemeral('An incident for this channel (run this in an incident channel) was not found.'),
    ]);
  });
});
