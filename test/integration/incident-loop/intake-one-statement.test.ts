// Intake answers after ONE statement: the webhook_deliveries row and its process-delivery job are written by one
// CTE that also tells a duplicate (200) from a new delivery (202). The queue is not started, so every statement the
// app sends while the test posts is the intake's own.
import { afterEach, expect, it } from 'vitest';
import { countStatements } from '../../../bench/statements.js';
import { makeAlertmanagerAlert, makeAlertmanagerPayload, makePagerDutyPayload } from '../../helpers/factories.js';
import { signPagerDuty } from '../../helpers/pagerduty-signing.js';
import { PD_SECRET, post, startLoop, waitFor, type Loop } from './harness.js';

let loop: Loop | undefined;
afterEach(async () => {
  await loop?.stop({ drop: true });
  loop = undefined;
});

it('each Alertmanager and PagerDuty delivery, new or duplicate, costs one statement; the row and its job are stored together', async () => {
  loop = await startLoop({ startQueue: false });
  const l = loop;
  const statements = countStatements([l.ctx.knex]);
  const am = JSON.stringify(makeAlertmanagerPayload({ groupKey: 'one', alerts: [makeAlertmanagerAlert('fp-one')] }));
  const pd = JSON.stringify(makePagerDutyPayload({ eventId: 'evt-1' }));
  const pdOtherEvent = JSON.stringify(makePagerDutyPayload({ eventId: 'evt-2' }));
  const pdHeaders = (body: string, webhookId: string) => ({
    'x-pagerduty-signature': signPagerDuty(body, PD_SECRET),
    'x-webhook-id': webhookId,
  });

  const sent: Array<[string, number]> = [];
  const send = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const before = statements.total();
    const res = await post(l.url, path, body, headers);
    sent.push([`${path} ${res.status}`, statements.total() - before]);
    return res;
  };
  const first = await send('/webhooks/alertmanager', am);
  expect(first.status).toBe(202);
  const firstBody = first.json as { delivery: number; duplicate: boolean };
  expect(firstBody.duplicate).toBe(false);
  const again = await send('/webhooks/alertmanager', am);
  expect(again.status).toBe(200);
  expect((again.json as { delivery: number }).delivery).toBe(firstBody.delivery);
  expect((await send('/webhooks/pagerduty', pd, pdHeaders(pd, 'wh-1'))).status).toBe(202);
  // The same event id under another webhook id, and another event id under the same webhook id: both duplicates.
  expect((await send('/webhooks/pagerduty', pd, pdHeaders(pd, 'wh-2'))).status).toBe(200);
  expect((await send('/webhooks/pagerduty', pdOtherEvent, pdHeaders(pdOtherEvent, 'wh-1'))).status).toBe(200);
  expect((await send('/webhooks/pagerduty', pdOtherEvent, pdHeaders(pdOtherEvent, 'wh-3'))).status).toBe(202);
  statements.stop();
  expect(sent.map(([, n]) => n)).toEqual([1, 1, 1, 1, 1, 1]);

  const deliveries = await l.ctx.knex('webhook_deliveries').orderBy('id').select('id', 'source', 'delivery_id');
  expect(deliveries.map((d: { source: string; delivery_id: string }) => [d.source, d.delivery_id])).toEqual([
    ['alertmanager', expect.any(String)],
    ['pagerduty', 'evt-1'],
    ['pagerduty', 'evt-2'],
  ]);
  const jobs = await l.ctx
    .knex('jobs')
    .where({ name: 'process-delivery' })
    .orderBy('id')
    .select('id', 'name', 'payload', 'status');
  expect(jobs).toEqual(
    deliveries.map((d: { id: number }) => ({
      id: `process-delivery-${d.id}`,
      name: 'process-delivery',
      payload: { deliveryId: d.id },
      status: 'pending',
    })),
  );
});

it('the same new delivery sent 20 times at once is accepted once, with one job; the rest are duplicates of it', async () => {
  loop = await startLoop({ startQueue: false });
  const l = loop;
  const am = JSON.stringify(makeAlertmanagerPayload({ groupKey: 'race', alerts: [makeAlertmanagerAlert('fp-race')] }));
  const answers = await Promise.all(Array.from({ length: 20 }, () => post(l.url, '/webhooks/alertmanager', am)));
  const bodies = answers.map((a) => a.json as { delivery: number });
  expect(answers.map((a) => a.status).sort()).toEqual([...Array(19).fill(200), 202]);
  const rows = await l.ctx.knex('webhook_deliveries').select('id');
  expect(rows).toHaveLength(1);
  expect(new Set(bodies.map((b) => b.delivery))).toEqual(new Set([rows[0].id]));
  expect(await l.ctx.knex('jobs').where({ name: 'process-delivery' }).select('id')).toEqual([
    { id: `process-delivery-${rows[0].id}` },
  ]);
});

it('once the queue starts, the job written by the intake statement is run: the delivery is processed', async () => {
  loop = await startLoop({ startQueue: false });
  const l = loop;
  const am = JSON.stringify(makeAlertmanagerPayload({ groupKey: 'run', alerts: [makeAlertmanagerAlert('fp-run')] }));
  expect((await post(l.url, '/webhooks/alertmanager', am)).status).toBe(202);
  await l.startQueue();
  await waitFor(
    'the delivery processed into an incident',
    async () => {
      const delivery = await l.ctx.knex('webhook_deliveries').first('status');
      const incidents = await l.ctx.knex('incidents').count<{ count: string }[]>('* as count').first();
      return delivery?.status === 'processed' && Number(incidents?.count) === 1;
    },
    30_000,
  );
});
