// The /incident modals' submissions called without Bolt, with the real use cases on PGlite: declaring opens an
// incident and says so; resolving by a bystander is refused to them and changes nothing; by the on-call it resolves.
import { describe, expect, it } from 'vitest';
import { ViewIds } from '../../../../blocks/ids.js';
import { DeclareFields, ResolveFields } from '../../../../blocks/modals.js';
import { handleDeclareSubmission, handleResolveSubmission } from '../../../../handlers/views/incident-modals.js';
import { findIncident } from '../../../../src/incidents/repository.js';
import {
  People,
  Recorder,
  handlerContext,
  insertIncident,
  useHandlerDatabase,
} from '../../../helpers/handler-context.js';
import { selectInput, textInput, viewSubmission } from '../../../helpers/slack-payloads.js';

const pg = useHandlerDatabase();

describe('the declare modal', () => {
  it('acks, declares the incident with the declarer as commander, and tells them where it was typed', async () => {
    const rec = new Recorder();
    const body = viewSubmission({
      callbackId: ViewIds.declareIncident,
      user: People.sam,
      privateMetadata: JSON.stringify({ channelId: 'C0GENERAL' }),
      values: {
        [DeclareFields.title]: textInput('Checkout is failing'),
        [DeclareFields.service]: selectInput('checkout'),
        [DeclareFields.severity]: selectInput('sev2'),
        [DeclareFields.summary]: textInput(null),
      },
    });
    await handleDeclareSubmission(handlerContext(rec, pg), { ack: rec.ack, body });
    expect(rec.log).toEqual(['ack', 'chat.postEphemeral']);
    expect(rec.acks).toEqual([undefined]);
    const row = await pg.db.knex('incidents').where({ title: 'Checkout is failing' }).first();
    expect(row).toMatchObject({
      severity: 'sev2',
      service: 'checkout',
      team: 'payments',
      commander: People.sam,
      source: 'manual',
      status: 'triggered',
    });
    expect(rec.ephemerals()).toEqual([
      ['C0GENERAL', People.sam, `${row.public_id} declared (SEV2); its channel is being opened.`],
    ]);
  });
});

describe('the resolve modal', () => {
  const resolveBody = (user: string, incidentId: number, channelId: string) =>
    viewSubmission({
      callbackId: ViewIds.resolveIncident,
      user,
      privateMetadata: JSON.stringify({ incidentId, channelId }),
      values: {
        [ResolveFields.category]: selectInput('bad_deploy'),
        [ResolveFields.cause]: textInput('deploy-42'),
        [ResolveFields.summary]: textInput('Rolled back the payment client'),
      },
    });

  it('by a bystander: tells them who may, and the incident stays open', async () => {
    const rec = new Recorder();
    const ctx = handlerContext(rec, pg);
    const { id, publicId } = await insertIncident(ctx, { channelId: 'C0RES1' });
    await handleResolveSubmission(ctx, { ack: rec.ack, body: resolveBody(People.ben, id, 'C0RES1') });
    expect(rec.log).toEqual(['ack', 'chat.postEphemeral']);
    expect(rec.ephemerals()).toEqual([
      [
        'C0RES1',
        People.ben,
        `Only the on-call for checkout (<@${People.priya}>), the commander (none yet) or the responders the copilot invited may resolve ${publicId}.`,
      ],
    ]);
    expect((await findIncident(pg.db.knex, id))?.status).toBe('triggered');
  });

  it('by the on-call: resolves with the root cause and tells them', async () => {
    const rec = new Recorder();
    const ctx = handlerContext(rec, pg);
    const { id, publicId } = await insertIncident(ctx, { channelId: 'C0RES2' });
    await handleResolveSubmission(ctx, { ack: rec.ack, body: resolveBody(People.priya, id, 'C0RES2') });
    expect((await findIncident(pg.db.knex, id))?.status).toBe('resolved');
    // No investigation ran on this incident, so the copilot had no hypothesis to be right with.
    expect(rec.ephemerals()).toEqual([
      ['C0RES2', People.priya, `${publicId} resolved. The copilot's top hypothesis was wrong (none).`],
    ]);
  });
});
