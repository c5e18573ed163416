// The /incident modals' submissions called without Bolt: fields that are missing or wrong, and a damaged form, come
// back as errors on the modal in the ack, and nothing is declared or resolved. (Submissions that act:
// test/integration/handlers/.)
import { describe, expect, it } from 'vitest';
import { ViewIds } from '../../../../blocks/ids.js';
import { DeclareFields, ResolveFields } from '../../../../blocks/modals.js';
import { handleDeclareSubmission, handleResolveSubmission } from '../../../../handlers/views/incident-modals.js';
import { People, Recorder, handlerContext } from '../../../helpers/handler-context.js';
import { selectInput, textInput, viewSubmission } from '../../../helpers/slack-payloads.js';

type Submit = typeof handleDeclareSubmission;

async function submit(
  handle: Submit,
  callbackId: string,
  privateMetadata: string,
  values: Record<string, Record<string, unknown>>,
): Promise<Recorder> {
  const rec = new Recorder();
  await handle(handlerContext(rec), {
    ack: rec.ack,
    body: viewSubmission({ callbackId, user: People.priya, privateMetadata, values }),
  });
  return rec;
}

const declareMeta = JSON.stringify({ channelId: 'C0GENERAL' });
const resolveMeta = JSON.stringify({ incidentId: 42, channelId: 'C0INC42' });

describe('the declare modal', () => {
  const submitDeclare = (values: Record<string, Record<string, unknown>>, meta = declareMeta) =>
    submit(handleDeclareSubmission, ViewIds.declareIncident, meta, values);

  it('shows a missing title and severity on the form, declaring nothing', async () => {
    const rec = await submitDeclare({
      [DeclareFields.title]: textInput('  '),
      [DeclareFields.service]: selectInput(null),
      [DeclareFields.severity]: selectInput(null),
      [DeclareFields.summary]: textInput(null),
    });
    expect(rec.log).toEqual(['ack']);
    expect(rec.acks).toEqual([
      {
        response_action: 'errors',
        errors: { [DeclareFields.title]: 'Give the incident a title', [DeclareFields.severity]: 'Pick a severity' },
      },
    ]);
    expect(rec.touched).toEqual([]);
  });

  it('shows a service that is not in the config on the form', async () => {
    const rec = await submitDeclare({
      [DeclareFields.title]: textInput('Checkout is failing'),
      [DeclareFields.service]: textInput('billing'),
      [DeclareFields.severity]: selectInput('sev2'),
    });
    expect(rec.acks).toEqual([{ response_action: 'errors', errors: { [DeclareFields.service]: 'Unknown service' } }]);
    expect(rec.touched).toEqual([]);
  });

  it('says a form whose metadata is not JSON is damaged, declaring nothing', async () => {
    const rec = await submitDeclare(
      { [DeclareFields.title]: textInput('Checkout is failing'), [DeclareFields.severity]: selectInput('sev2') },
      '{"channelId":',
    );
    expect(rec.acks).toEqual([
      {
        response_action: 'errors',
        errors: {
          [DeclareFields.title]:
            'This form is damaged (its metadata is not JSON); close it and open it again. Nothing was done.',
        },
      },
    ]);
    expect(rec.touched).toEqual([]);
  });
});

describe('the resolve modal', () => {
  const submitResolve = (values: Record<string, Record<string, unknown>>, meta = resolveMeta) =>
    submit(handleResolveSubmission, ViewIds.resolveIncident, meta, values);

  it('shows a missing category and summary on the form, resolving nothing', async () => {
    const rec = await submitResolve({
      [ResolveFields.category]: selectInput(null),
      [ResolveFields.cause]: textInput(null),
      [ResolveFields.summary]: textInput(''),
    });
    expect(rec.log).toEqual(['ack']);
    expect(rec.acks).toEqual([
      {
        response_action: 'errors',
        errors: {
          [ResolveFields.category]: 'Pick the root-cause category',
          [ResolveFields.summary]: 'Write a short summary',
        },
      },
    ]);
    expect(rec.touched).toEqual([]);
  });

  it('shows a category that is not one of the categories on the form', async () => {
    const rec = await submitResolve({
      [ResolveFields.category]: selectInput('gremlins'),
      [ResolveFields.summary]: textInput('Rolled back'),
    });
    expect(rec.acks).toEqual([
      { response_action: 'errors', errors: { [ResolveFields.category]: 'Pick the root-cause category' } },
    ]);
    expect(rec.touched).toEqual([]);
  });

  it('names the damaged part of a form whose incident id is not a number, resolving nothing', async () => {
    const rec = await submitResolve(
      { [ResolveFields.category]: selectInput('bad_deploy'), [ResolveFields.summary]: textInput('Rolled back') },
      JSON.stringify({ incidentId: '42; drop table', channelId: 'C0INC42' }),
    );
    expect(rec.acks).toEqual([
      {
        response_action: 'errors',
        errors: {
          [ResolveFields.summary]:
            'This form is damaged (its incidentId is not valid); close it and open it again. Nothing was done.',
        },
      },
    ]);
    expect(rec.touched).toEqual([]);
  });

  it('acks a valid form before the use case reads the incident', async () => {
    const rec = new Recorder();
    const body = viewSubmission({
      callbackId: ViewIds.resolveIncident,
      user: People.priya,
      privateMetadata: resolveMeta,
      values: {
        [ResolveFields.category]: selectInput('bad_deploy'),
        [ResolveFields.summary]: textInput('Rolled back'),
      },
    });
    await expect(handleResolveSubmission(handlerContext(rec), { ack: rec.ack, body })).rejects.toThrow(
      /reached the database/,
    );
    expect(rec.log[0]).toBe('ack');
    expect(rec.acks).toEqual([undefined]);
  });
});
