// Group commit: deliveries that arrive together are recorded by one multi-row statement (one transaction), each
// with its job; duplicates within the batch are told apart from new deliveries exactly as one at a time; a statement
// that fails answers 503 to every delivery in it and writes nothing.
import { afterEach, expect, it } from 'vitest';
import { countStatements } from '../../../bench/statements.js';
import { recordDelivery } from '../../../src/intake/record-delivery.js';
import { makeAlertmanagerAlert, makeAlertmanagerPayload, makePagerDutyPayload } from '../../helpers/factories.js';
import { signPagerDuty } from '../../helpers/pagerduty-signing.js';
import { PD_SECRET, post, startLoop, type Loop } from './harness.js';

let loop: Loop | undefined;
afterEach(async () => {
  await loop?.stop({ drop: true });
  loop = undefined;
});

const am = (key: string) =>
  JSON.stringify(makeAlertmanagerPayload({ groupKey: key, alerts: [makeAlertmanagerAlert(`fp-${key}`)] }));

it('100 deliveries recorded in the same turn cost ONE statement; each is stored once with its job', async () => {
  loop = await startLoop({ startQueue: false });
  const l = loop;
  const statements = countStatements([l.ctx.knex]);
  const body = (i: number) => ({ groupKey: `g-${i}` });
  // The 100 new deliveries, a repeat of the 7th, and two PagerDuty events sharing an X-Webhook-Id, all at once.
  const recorded = await Promise.all([
    ...Array.from({ length: 100 }, (_, i) => recordDelivery(l.ctx, 'alertmanager', `d-${i}`, body(i), {})),
    recordDelivery(l.ctx, 'alertmanager', 'd-7', body(7), {}),
    recordDelivery(l.ctx, 'pagerduty', 'evt-a', {}, { 'x-webhook-id': 'wh-1' }, 'wh-1'),
    recordDelivery(l.ctx, 'pagerduty', 'evt-b', {}, { 'x-webhook-id': 'wh-1' }, 'wh-1'),
  ]);
  statements.stop();
  expect(statements.total()).toBe(1);
  expect(recorded.slice(0, 100).every((r) => !r.duplicate)).toBe(true);
  expect(new Set(recorded.slice(0, 100).map((r) => r.id)).size).toBe(100);
  expect(recorded[100]).toEqual({ id: recorded[7]!.id, duplicate: true });
  expect(recorded[101]!.duplicate).toBe(false);
  expect(recorded[102]).toEqual({ id: recorded[101]!.id, duplicate: true });

  const rows = await l.ctx.knex('webhook_deliveries').select('id', 'delivery_id', 'body');
  expect(rows).toHaveLength(101);
  const byDeliveryId = new Map(rows.map((r: { delivery_id: string; id: number }) => [r.delivery_id, r]));
  expect(byDeliveryId.get('d-42')).toMatchObject({ id: recorded[42]!.id, body: { groupKey: 'g-42' } });
  const jobs = await l.ctx.knex('jobs').where({ name: 'process-delivery' }).select('id', 'payload');
  expect(new Set(jobs.map((j: { id: string }) => j.id))).toEqual(
    new Set(rows.map((r: { id: number }) => `process-delivery-${r.id}`)),
  );
  expect(
    jobs.every((j: { id: string; payload: { deliveryId: number } }) => j.id.endsWith(`-${j.payload.deliveryId}`)),
  ).toBe(true);

  // Once stored, the same ones again (now found by the statement, not in the batch) are duplicates of them.
  const again = await Promise.all([
    recordDelivery(l.ctx, 'alertmanager', 'd-3', body(3), {}),
    recordDelivery(l.ctx, 'pagerduty', 'evt-c', {}, { 'x-webhook-id': 'wh-1' }, 'wh-1'),
  ]);
  expect(again).toEqual([
    { id: recorded[3]!.id, duplicate: true },
    { id: recorded[101]!.id, duplicate: true },
  ]);
});

it('64 concurrent senders over HTTP: every new page is accepted once with its job, every repeat answered 200', async () => {
  loop = await startLoop({ startQueue: false });
  const l = loop;
  const keys = Array.from({ length: 192 }, (_, i) => `k-${i}`);
  const pd = JSON.stringify(makePagerDutyPayload({ eventId: 'evt-http' }));
  let next = 0;
  const answers: Array<{ key: string; status: number; delivery: number }> = [];
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < keys.length * 2) {
        const i = next++;
        const key = keys[i % keys.length]!; // each key twice: the second round repeats the first
        const res = await post(l.url, '/webhooks/alertmanager', am(key));
        answers.push({ key, status: res.status, delivery: res.json.delivery as number });
      }
    }),
  );
  const pdAnswers = await Promise.all(
    ['wh-x', 'wh-y', 'wh-z'].map((wh) =>
      post(l.url, '/webhooks/pagerduty', pd, {
        'x-pagerduty-signature': signPagerDuty(pd, PD_SECRET),
        'x-webhook-id': wh,
      }),
    ),
  );
  expect(pdAnswers.map((a) => a.status).sort()).toEqual([200, 200, 202]);
  for (const key of keys) {
    const mine = answers.filter((a) => a.key === key);
    expect(mine.map((a) => a.status).sort()).toEqual([200, 202]);
    expect(mine[0]!.delivery).toBe(mine[1]!.delivery);
  }
  const rows = await l.ctx.knex('webhook_deliveries').count<{ count: number }[]>('* as count').first();
  expect(Number(rows?.count)).toBe(keys.length + 1);
  const jobs = await l.ctx.knex('jobs').where({ name: 'process-delivery' }).count<{ count: number }[]>('* as count');
  expect(Number(jobs[0]?.count)).toBe(keys.length + 1);
});

it('when the statement fails, every delivery in it gets 503 and nothing is written; the next ones are recorded', async () => {
  loop = await startLoop({ startQueue: false });
  const l = loop;
  // The jobs table refuses new rows for a moment: the statement (delivery rows and jobs together) fails as a whole.
  await l.ctx.knex.raw(`alter table jobs add constraint refuse_all check (name <> 'process-delivery') not valid`);
  const failed = await Promise.all(['a', 'b', 'c'].map((k) => post(l.url, '/webhooks/alertmanager', am(k))));
  expect(failed.map((a) => a.status)).toEqual([503, 503, 503]);
  expect(await l.ctx.knex('webhook_deliveries').select('id')).toEqual([]);
  await l.ctx.knex.raw('alter table jobs drop constraint refuse_all');
  const retried = await Promise.all(['a', 'b', 'c'].map((k) => post(l.url, '/webhooks/alertmanager', am(k))));
  expect(retried.map((a) => a.status)).toEqual([202, 202, 202]);
  expect(await l.ctx.knex('webhook_deliveries').select('id')).toHaveLength(3);
});
