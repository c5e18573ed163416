// A body Postgres cannot hold as jsonb (a string with \u0000 or an unpaired UTF-16 surrogate) is answered 400 before
// it reaches the group commit: it must not fail the shared statement, and with it every delivery batched beside it.
import { afterEach, expect, it, vi } from 'vitest';
import { openDatabase } from '../../../src/adapters/db/database.js';
import { storeDeliveriesAndJobs } from '../../../src/intake/deliveries-repository.js';
import { DeliveryGroupCommit } from '../../../src/intake/group-commit.js';
import { makeAlertmanagerAlert, makeAlertmanagerPayload, makePagerDutyPayload } from '../../helpers/factories.js';
import { signPagerDuty } from '../../helpers/pagerduty-signing.js';
import { PD_SECRET, post, startLoop, waitFor, type Loop } from './harness.js';

let loop: Loop | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await loop?.stop({ drop: true });
  loop = undefined;
});

const am = (key: string, summary = 'checkout 5xx ratio above 5% for 5 minutes') => {
  const alert = { ...makeAlertmanagerAlert(`fp-${key}`), annotations: { summary } };
  return JSON.stringify(makeAlertmanagerPayload({ groupKey: key, alerts: [alert] }));
};

it('a body with \\u0000 sent together with good ones: 400 naming its path, every good one 2xx and recorded', async () => {
  loop = await startLoop({ startQueue: false });
  const l = loop;
  const stores = vi.spyOn(DeliveryGroupCommit.prototype, 'store');
  // Both statement slots are held on a table lock, so everything sent next waits for the same (next) statement.
  const lock = await l.ctx.knex.transaction();
  const holder = Number((await lock.raw('select pg_backend_pid() as pid')).rows[0].pid);
  await lock.raw('lock table webhook_deliveries in exclusive mode');
  const blocked = async () =>
    Number(
      (
        await l.ctx.knex.raw(
          `select count(*) as n from pg_stat_activity where ? = any(pg_blocking_pids(pid)) and query like '%jsonb_to_recordset%'`,
          [holder],
        )
      ).rows[0].n,
    );
  const plugs: Array<Promise<{ status: number }>> = [];
  for (const [i, key] of ['plug-1', 'plug-2'].entries()) {
    plugs.push(post(l.url, '/webhooks/alertmanager', am(key)));
    await waitFor(`statement ${i + 1} waiting on the lock`, async () => (await blocked()) === i + 1);
  }

  const good = ['good-1', 'good-2', 'good-3', 'good-4'].map((key) => post(l.url, '/webhooks/alertmanager', am(key)));
  const pd = JSON.stringify(makePagerDutyPayload({ eventId: 'evt-good' }));
  good.push(post(l.url, '/webhooks/pagerduty', pd, { 'x-pagerduty-signature': signPagerDuty(pd, PD_SECRET) }));
  let badAnswered = false;
  const bad = post(l.url, '/webhooks/alertmanager', am('bad', 'cpu at 99%\u0000 on checkout-1')).then((r) => {
    badAnswered = true;
    return r;
  });
  // Every good one is queued for the next statement, and the bad one answered or queued with them.
  await waitFor(
    'the deliveries queued behind the lock',
    () => stores.mock.calls.length === 2 + 5 + (badAnswered ? 0 : 1),
  );
  await lock.commit();

  const answers = await Promise.all([...plugs, ...good]);
  expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202, 202, 202]);
  const badAnswer = await bad;
  expect(badAnswer.status).toBe(400);
  expect(badAnswer.json).toEqual({
    error: 'invalid_payload',
    issues: [
      'alerts.0.annotations.summary: holds \\u0000 (a NUL character), which cannot be stored; remove it or escape it',
    ],
  });
  const rows = await l.ctx.knex('webhook_deliveries').select('delivery_id');
  expect(rows).toHaveLength(7);
  const jobs = await l.ctx.knex('jobs').where({ name: 'process-delivery' }).select('id');
  expect(jobs).toHaveLength(7);
});

it('a PagerDuty body with an unpaired surrogate is answered 400 naming its path, and nothing is recorded', async () => {
  loop = await startLoop({ startQueue: false });
  const l = loop;
  const body = JSON.stringify(makePagerDutyPayload({ eventId: 'evt-surrogate' })).replace(
    '"title":"[FIRING:1] HighErrorRate checkout (critical)"',
    '"title":"half an emoji \\ud83d here"',
  );
  const res = await post(l.url, '/webhooks/pagerduty', body, {
    'x-pagerduty-signature': signPagerDuty(body, PD_SECRET),
  });
  expect(res.status).toBe(400);
  expect(res.json.issues).toEqual([
    'event.data.title: holds \\ud83d (an unpaired UTF-16 surrogate), which cannot be stored; remove it or escape it',
  ]);
  expect(await l.ctx.knex('webhook_deliveries').select('id')).toEqual([]);
});

it('embedded PGlite refuses the same text in the group-commit statement as Postgres (so the 400 covers both)', async () => {
  const db = await openDatabase({ dataDir: ':memory:' });
  try {
    await db.migrate();
    const job = {
      name: 'process-delivery',
      idPrefix: 'process-delivery-',
      runAt: new Date(0),
      maxAttempts: 3,
      backoffMs: 1,
    };
    const store = (deliveryId: string, text: string) =>
      storeDeliveriesAndJobs(
        db.knex,
        [{ source: 'events', deliveryId, headers: {}, body: { text }, receivedAt: new Date(0) }],
        job,
      );
    for (const [id, text] of [
      ['nul', 'a\u0000b'],
      ['high', 'a\ud800b'],
      ['low', 'a\udc00b'],
    ] as const)
      await expect(store(id, text), id).rejects.toThrow(
        /invalid input syntax for type json|unsupported Unicode escape sequence/,
      );
    // What the scan lets through is stored: a whole pair, and the six characters \u0000 after an escaped backslash.
    expect(await store('pair', 'a\ud83d\ude00b')).toEqual([expect.objectContaining({ duplicate: false })]);
    expect(await store('backslash', 'a\\u0000b')).toEqual([expect.objectContaining({ duplicate: false })]);
  } finally {
    await db.close();
  }
});
