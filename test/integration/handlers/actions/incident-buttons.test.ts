// The briefing's buttons called without Bolt, with the real use cases on PGlite: the on-call's click acts, a
// bystander is told why not (only them) and nothing changes, a missing incident is said so.
import { beforeEach, describe, expect, it } from 'vitest';
import { ActionIds } from '../../../../blocks/ids.js';
import { buildResolveModal } from '../../../../blocks/modals.js';
import { handleAcknowledgeClick, handleResolveClick } from '../../../../handlers/actions/incident-buttons.js';
import type { AppContext } from '../../../../src/context.js';
import { findIncident } from '../../../../src/incidents/repository.js';
import { listTimeline } from '../../../../src/incidents/timeline-repository.js';
import { CATEGORIES } from '../../../../src/investigation/evidence-model.js';
import {
  People,
  Recorder,
  handlerContext,
  insertIncident,
  useHandlerDatabase,
} from '../../../helpers/handler-context.js';
import { buttonClick } from '../../../helpers/slack-payloads.js';

const pg = useHandlerDatabase();
beforeEach(async () => {
  await pg.db.knex('incidents').delete();
});

let n = 0;
async function setup(): Promise<{ rec: Recorder; ctx: AppContext; id: number; publicId: string; channel: string }> {
  const rec = new Recorder();
  const ctx = handlerContext(rec, pg);
  const channel = `C0INC${++n}`;
  return { rec, ctx, channel, ...(await insertIncident(ctx, { channelId: channel })) };
}

const ephemeral = (text: string) => ({ response_type: 'ephemeral', replace_original: false, text });

describe('Acknowledge', () => {
  it('by the on-call: acks, acknowledges the incident and records who clicked, with nothing to say', async () => {
    const { rec, ctx, id, channel } = await setup();
    await handleAcknowledgeClick(ctx, {
      ack: rec.ack,
      respond: rec.respond,
      body: buttonClick({ actionId: ActionIds.acknowledge, value: String(id), user: People.priya, channel }),
    });
    expect(rec.log[0]).toBe('ack');
    expect(rec.responses).toEqual([]);
    expect((await findIncident(pg.db.knex, id))?.status).toBe('acknowledged');
    const types = (await listTimeline(pg.db.knex, id)).map((e) => e.type);
    expect(types).toContain('authorization.allowed');
    expect(types).toContain('incident.acknowledged');
  });

  it('a second time: tells the clicker it already is', async () => {
    const { rec, ctx, id, publicId, channel } = await setup();
    const click = (ts: string) =>
      handleAcknowledgeClick(ctx, {
        ack: rec.ack,
        respond: rec.respond,
        body: buttonClick({
          actionId: ActionIds.acknowledge,
          value: String(id),
          user: People.priya,
          channel,
          actionTs: ts,
        }),
      });
    await click('1764064801.000001');
    await click('1764064802.000002');
    expect(rec.responses).toEqual([ephemeral(`${publicId} is already acknowledged.`)]);
  });

  it('by a bystander: tells only them who may, leaves the incident triggered, and records the refusal', async () => {
    const { rec, ctx, id, publicId, channel } = await setup();
    await handleAcknowledgeClick(ctx, {
      ack: rec.ack,
      respond: rec.respond,
      body: buttonClick({ actionId: ActionIds.acknowledge, value: String(id), user: People.ben, channel }),
    });
    expect(rec.log).toEqual(['ack', 'respond']);
    expect(rec.responses).toEqual([
      ephemeral(
        `Only the on-call for checkout (<@${People.priya}>), the commander (none yet) or the responders the copilot invited may acknowledge ${publicId}.`,
      ),
    ]);
    expect((await findIncident(pg.db.knex, id))?.status).toBe('triggered');
    expect((await listTimeline(pg.db.knex, id)).map((e) => e.type)).toEqual(['authorization.refused']);
  });

  it('for an incident that does not exist: says it was not found', async () => {
    const rec = new Recorder();
    await handleAcknowledgeClick(handlerContext(rec, pg), {
      ack: rec.ack,
      respond: rec.respond,
      body: buttonClick({ actionId: ActionIds.acknowledge, value: '999999', user: People.priya }),
    });
    expect(rec.responses).toEqual([ephemeral('Incident 999999 was not found.')]);
  });
});

describe('Resolve', () => {
  it('by the on-call: opens the resolve form for the incident’s channel', async () => {
    const { rec, ctx, id, publicId, channel } = await setup();
    await handleResolveClick(ctx, {
      ack: rec.ack,
      respond: rec.respond,
      client: rec.client,
      body: buttonClick({ actionId: ActionIds.resolve, value: String(id), user: People.priya, channel }),
    });
    expect(rec.log).toEqual(['ack', 'views.open']);
    expect(rec.opened).toEqual([
      {
        trigger_id: '8123456789.1234567890.0a1b2c3d4e5f',
        view: buildResolveModal({ incidentId: id, publicId, categories: CATEGORIES, channelId: channel }),
      },
    ]);
    expect((await findIncident(pg.db.knex, id))?.status).toBe('triggered');
  });

  it('by a bystander: tells only them who may, and opens no form', async () => {
    const { rec, ctx, id, publicId, channel } = await setup();
    await handleResolveClick(ctx, {
      ack: rec.ack,
      respond: rec.respond,
      client: rec.client,
      body: buttonClick({ actionId: ActionIds.resolve, value: String(id), user: People.ben, channel }),
    });
    expect(rec.log).toEqual(['ack', 'respond']);
    expect(rec.responses).toEqual([
      ephemeral(
        `Only the on-call for checkout (<@${People.priya}>), the commander (none yet) or the responders the copilot invited may resolve ${publicId}.`,
      ),
    ]);
    expect(rec.opened).toEqual([]);
  });
});
