// Every documented PagerDuty v3 event type, signed, through the whole app: 2xx for each, what matters applied (an
// unacknowledgement pages again), notes and status updates found under data.incident and kept on the timeline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../../src/app.js';
import { listTimeline } from '../../../src/incidents/timeline-repository.js';
import { makePagerDutyPayload } from '../../helpers/factories.js';
import { signPagerDuty } from '../../helpers/pagerduty-signing.js';
import { RosterIds } from '../../helpers/fake-slack.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startWholeApp, type WholeApp } from '../../helpers/whole-app.js';
import { oncallConfig, pagesOf } from './harness.js';

const SECRET = 'pd-webhook-secret';
const PD_INCIDENT = 'QPDEVTS1';
let app: RunningApp;
let whole: WholeApp;

beforeAll(async () => {
  whole = await startWholeApp(
    oncallConfig({
      routing: {
        rules: [
          { name: 'critical', match: { severity: 'critical' }, severity: 'sev1', escalationPolicy: 'payments-pager' },
        ],
      },
    }),
    { PAGERDUTY_WEBHOOK_SECRET: SECRET },
  );
  ({ app } = whole);
});

afterAll(async () => {
  await whole?.stop();
});

async function deliver(body: Record<string, unknown>, webhookId: string): Promise<{ status: number; text: string }> {
  const raw = JSON.stringify(body);
  const res = await fetch(`${app.url}/webhooks/pagerduty`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-pagerduty-signature': signPagerDuty(raw, SECRET),
      'x-webhook-id': webhookId,
    },
    body: raw,
  });
  return { status: res.status, text: await res.text() };
}

const incidentRef = {
  id: PD_INCIDENT,
  type: 'incident_reference',
  summary: 'checkout down',
  html_url: `https://acme.pagerduty.com/incidents/${PD_INCIDENT}`,
};

/** An event whose data is about the incident but is not the incident (a note, a status update, a responder). */
function aboutIncident(eventType: string, eventId: string, data: Record<string, unknown>): Record<string, unknown> {
  return {
    event: {
      id: eventId,
      event_type: eventType,
      resource_type: 'incident',
      occurred_at: '2026-11-24T10:01:00Z',
      agent: { id: 'PUSR001', summary: 'Maya Chen', type: 'user_reference' },
      client: null,
      data: { incident: incidentRef, ...data },
    },
  };
}

const incidentEvent = (eventType: string, eventId: string) =>
  makePagerDutyPayload({ eventType, eventId, incidentId: PD_INCIDENT });

describe('PagerDuty v3 event types through the whole app', () => {
  it('answers 2xx to every documented event type, applies what matters and keeps the rest on the timeline', async () => {
    // The test event PagerDuty sends from its UI, and events about services: accepted, nothing to apply.
    const ping = {
      event: {
        id: 'ev-ping',
        event_type: 'pagey.ping',
        resource_type: 'pagey',
        occurred_at: '2026-11-24T10:00:00Z',
        agent: null,
        client: null,
        data: { message: 'Hello from your friend Pagey!', type: 'ping' },
      },
    };
    expect((await deliver(ping, 'wh-ping')).status).toBe(202);
    for (const t of ['service.created', 'service.updated', 'service.deleted'])
      expect(
        (
          await deliver(
            {
              event: {
                id: `ev-${t}`,
                event_type: t,
                resource_type: 'service',
                occurred_at: '2026-11-24T10:00:00Z',
                agent: null,
                client: null,
                data: { id: 'PSVC123', type: 'service', summary: 'Checkout API' },
              },
            },
            `wh-${t}`,
          )
        ).status,
      ).toBe(202);

    expect((await deliver(incidentEvent('incident.triggered', 'ev-trigger'), 'wh-trigger')).status).toBe(202);
    const incident = await waitFor('the incident paged', async () => {
      const row = await app.ctx.knex('incidents').where({ external_id: PD_INCIDENT }).first();
      return row && (await pagesOf(app.ctx, row.id)).length === 1 ? row : undefined;
    });

    const kept: [string, Record<string, unknown>][] = [
      [
        'incident.annotated',
        aboutIncident('incident.annotated', 'ev-note', {
          id: 'PNOTE1',
          type: 'incident_note',
          content: 'Rolled back 4.2.1 from the PagerDuty app',
          trimmed: false,
        }),
      ],
      [
        'incident.status_update_published',
        aboutIncident('incident.status_update_published', 'ev-status', {
          id: 'PSU1',
          type: 'incident_status_update',
          message: 'A fix is being deployed',
          trimmed: false,
        }),
      ],
      [
        'incident.responder.added',
        aboutIncident('incident.responder.added', 'ev-resp-add', {
          type: 'incident_responder',
          user: { id: 'PSAM', summary: 'Sam Okafor', type: 'user_reference' },
          message: 'Please help',
          state: 'pending',
        }),
      ],
      [
        'incident.responder.replied',
        aboutIncident('incident.responder.replied', 'ev-resp-reply', {
          type: 'incident_responder',
          user: { id: 'PSAM', summary: 'Sam Okafor', type: 'user_reference' },
          state: 'joined',
        }),
      ],
      ['incident.priority_updated', incidentEvent('incident.priority_updated', 'ev-prio')],
      ['incident.reassigned', incidentEvent('incident.reassigned', 'ev-reassigned')],
      ['incident.escalated', incidentEvent('incident.escalated', 'ev-escalated')],
      ['incident.delegated', incidentEvent('incident.delegated', 'ev-delegated')],
      ['incident.conference_bridge.updated', incidentEvent('incident.conference_bridge.updated', 'ev-bridge')],
      [
        'incident.custom_field_values.updated',
        aboutIncident('incident.custom_field_values.updated', 'ev-fields', {
          type: 'incident_field_values',
          custom_fields: [{ name: 'region', value: 'eu-west-1' }],
        }),
      ],
      [
        'incident.workflow.started',
        aboutIncident('incident.workflow.started', 'ev-wf-start', { type: 'incident_workflow_instance', id: 'PWF1' }),
      ],
      [
        'incident.workflow.completed',
        aboutIncident('incident.workflow.completed', 'ev-wf-done', { type: 'incident_workflow_instance', id: 'PWF1' }),
      ],
    ];
    for (const [type, body] of kept)
      expect({ type, status: (await deliver(body, `wh-${type}`)).status }).toEqual({ type, status: 202 });

    const timeline = await waitFor('every event on the timeline', async () => {
      const t = await listTimeline(app.ctx.knex, incident.id);
      return t.filter((e) => e.type.startsWith('pagerduty.')).length >= kept.length && t;
    });
    expect(timeline.find((e) => e.type === 'pagerduty.annotated')?.data).toMatchObject({
      note: 'Rolled back 4.2.1 from the PagerDuty app',
    });
    expect(timeline.find((e) => e.type === 'pagerduty.status_update_published')?.data).toMatchObject({
      message: 'A fix is being deployed',
    });
    expect(timeline.find((e) => e.type === 'pagerduty.responder.added')?.data).toMatchObject({
      responder: 'Sam Okafor',
    });
    const deliveries = await app.ctx.knex('webhook_deliveries').select('status');
    await waitFor(
      'every delivery processed',
      async () => (await app.ctx.knex('webhook_deliveries').whereNot({ status: 'processed' }).first()) === undefined,
    );
    expect(deliveries.length).toBe(1 + 3 + 1 + kept.length);
  });

  it('re-arms the escalation when PagerDuty says the incident was unacknowledged', async () => {
    const id = (await app.ctx.knex('incidents').where({ external_id: PD_INCIDENT }).first()).id as number;
    expect((await deliver(incidentEvent('incident.acknowledged', 'ev-ack'), 'wh-ack')).status).toBe(202);
    await waitFor('the stop', async () =>
      (await listTimeline(app.ctx.knex, id)).some((e) => e.type === 'escalation.stopped'),
    );
    const before = (await pagesOf(app.ctx, id)).length;

    expect((await deliver(incidentEvent('incident.unacknowledged', 'ev-unack'), 'wh-unack')).status).toBe(202);
    await waitFor(
      'back to triggered',
      async () => (await app.ctx.knex('incidents').where({ id }).first()).status === 'triggered',
    );
    // Paging starts again from the first step, in a run of its own.
    const again = await waitFor('the primary paged again', async () => {
      const p = await pagesOf(app.ctx, id);
      return p.length > before && p;
    });
    expect(again.at(-1)).toMatchObject({ user: RosterIds.primary, step: 0 });
    expect(again.at(-1)!.round).toBeGreaterThan(0);

    // Acknowledged again: the new run stops too.
    expect((await deliver(incidentEvent('incident.acknowledged', 'ev-ack-2'), 'wh-ack-2')).status).toBe(202);
    await waitFor(
      'the second stop',
      async () => (await listTimeline(app.ctx.knex, id)).filter((e) => e.type === 'escalation.stopped').length === 2,
    );
    expect((await app.ctx.knex('incidents').where({ id }).first()).status).toBe('acknowledged');
  });

  it('refuses an incident event that names no incident with a 400 saying so', async () => {
    const bad = {
      event: {
        id: 'ev-bad',
        event_type: 'incident.annotated',
        resource_type: 'incident',
        occurred_at: '2026-11-24T10:00:00Z',
        agent: null,
        data: { type: 'incident_note', content: 'orphan' },
      },
    };
    const res = await deliver(bad, 'wh-bad');
    expect(res.status).toBe(400);
    expect(res.text).toContain('must name its incident');
  });
});
