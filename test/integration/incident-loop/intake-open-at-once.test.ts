// A page of a new alert group (no storm to join) is opened in ONE statement: the lookup, the incident, its alerts, its
// timeline entries, its jobs, and the delivery's completion with its process-delivery job's. Deliveries racing for one
// new group still make one incident: one statement opens it, the others find nothing written and join it.
import { afterEach, expect, it } from 'vitest';
import { countStatements } from '../../../bench/statements.js';
import { ingestAlerts } from '../../../src/incidents/ingest-alerts.js';
import { OPENED_ONLY } from '../../../src/incidents/opening-repository.js';
import { alertmanagerPayloadSchema, alertsFromAlertmanager } from '../../../src/intake/alert.js';
import { deliveryCompletionParts } from '../../../src/intake/deliveries-repository.js';
import { PROCESS_DELIVERY_JOB, recordDelivery } from '../../../src/intake/record-delivery.js';
import { currentJob, runInJobScope, type JobScope } from '../../../src/jobs/job-scope.js';
import { makeAlertmanagerAlert, makeAlertmanagerPayload } from '../../helpers/factories.js';
import { startLoop, type Loop } from './harness.js';

let loop: Loop | undefined;
afterEach(async () => {
  await loop?.stop({ drop: true });
  loop = undefined;
});

const payload = (groupKey: string, fingerprints: string[], truncatedAlerts = 0) =>
  alertmanagerPayloadSchema.parse({
    ...makeAlertmanagerPayload({ groupKey, alerts: fingerprints.map((fp) => makeAlertmanagerAlert(fp)) }),
    truncatedAlerts,
  });

it("a new group's incident, alerts, timeline, jobs and the delivery's completion go in one statement", async () => {
  loop = await startLoop({ startQueue: false });
  const l = loop;
  const body = payload('one-statement', ['fp-a', 'fp-b'], 3);
  const { id: deliveryId } = await recordDelivery(l.ctx, 'alertmanager', 'd-one', body, {});
  const jobId = `${PROCESS_DELIVERY_JOB}-${deliveryId}`;
  // This test runs the job: the row is claimed by it, as the queue would.
  await l.ctx.knex('jobs').where({ id: jobId }).update({ status: 'running', locked_by: 'worker-t' });
  const scope: JobScope = { name: PROCESS_DELIVERY_JOB, id: jobId, owner: 'worker-t' };
  const now = l.ctx.clock.now();

  const statements = countStatements([l.ctx.knex]);
  const outcomes = await runInJobScope(scope, () =>
    ingestAlerts(l.ctx, alertsFromAlertmanager(body), {
      deliveryId,
      truncated: body.truncatedAlerts,
      finish: () => deliveryCompletionParts(deliveryId, now, PROCESS_DELIVERY_JOB, OPENED_ONLY),
    }),
  );
  // Counted until ingestAlerts returned: the channel opening it starts sends nothing before Slack answers.
  const sent = statements.top(10);
  statements.stop();
  expect(sent).toEqual([{ sql: expect.stringMatching(/^with found_ as/), count: 1 }]);

  expect(outcomes).toEqual([expect.objectContaining({ opened: true, finished: true, alerts: 2 })]);
  expect(scope.completed).toBe(true);
  const id = outcomes[0]!.incidentId;
  const incident = await l.ctx.knex('incidents').where({ id }).first();
  expect(incident).toMatchObject({
    group_key: 'alertmanager:one-statement',
    status: 'triggered',
    severity: 'sev1',
    team: 'payments',
  });
  expect(incident.escalation_snapshot).not.toBeNull();
  expect(incident.public_id).toBe(outcomes[0]!.publicId);
  const alerts = await l.ctx.knex('alerts').where({ incident_id: id }).orderBy('fingerprint');
  expect(alerts.map((a: { fingerprint: string }) => a.fingerprint)).toEqual(['fp-a', 'fp-b']);
  // The ingestion's entries (the channel opening it started records its own meanwhile).
  const events = await l.ctx
    .knex('incident_events')
    .where({ incident_id: id })
    .where((q) => void q.where('type', 'like', 'alert%').orWhere('type', 'incident.opened'))
    .orderBy('id');
  expect(events.map((e: { type: string }) => e.type)).toEqual([
    'incident.opened',
    'alert.received',
    'alert.received',
    'alerts.truncated',
  ]);
  expect(events[0].dedupe_key).toBe(`opened:${id}`);
  expect(events[0].data).toMatchObject({ severity: 'sev1', team: 'payments', title: incident.title });
  expect(events[1].dedupe_key).toMatch(new RegExp(`^alert:${id}:alertmanager:fp-[ab]:`));
  expect(events[3]).toMatchObject({
    dedupe_key: `alerts-truncated:${id}:${deliveryId}`,
    data: { truncated: 3, deliveryId },
  });
  const jobs = await l.ctx
    .knex('jobs')
    .whereIn('id', [`investigate-incident-${id}`, `start-escalation-${id}`, `open-incident-${id}`])
    .orderBy('id');
  expect(jobs.map((j: { name: string; status: string; payload: unknown }) => [j.name, j.status, j.payload])).toEqual([
    ['investigate-incident', 'pending', { incidentId: id }],
    ['open-incident', 'pending', { incidentId: id }],
    ['start-escalation', 'pending', { incidentId: id }],
  ]);
  // The channel's job is only the safety net: it waits.
  const safetyNet = jobs.find((j: { name: string }) => j.name === 'open-incident');
  expect(new Date(safetyNet.run_at).getTime()).toBeGreaterThan(Date.now() + 20_000);
  expect(await l.ctx.knex('webhook_deliveries').where({ id: deliveryId }).first()).toMatchObject({
    status: 'processed',
  });
  expect(await l.ctx.knex('jobs').where({ id: jobId }).first()).toMatchObject({
    status: 'completed',
    locked_by: null,
  });
}, 30_000);

it('deliveries racing for one new group make one incident: one opens it in its statement, the others join it', async () => {
  loop = await startLoop({ startQueue: false });
  const l = loop;
  const bodies = Array.from({ length: 6 }, (_, i) => payload('race', [`fp-race-${i}`]));
  const ids = await Promise.all(bodies.map((b, i) => recordDelivery(l.ctx, 'alertmanager', `d-race-${i}`, b, {})));
  const now = l.ctx.clock.now();
  const outcomes = (
    await Promise.all(
      bodies.map((b, i) =>
        ingestAlerts(l.ctx, alertsFromAlertmanager(b), {
          deliveryId: ids[i]!.id,
          finish: () => deliveryCompletionParts(ids[i]!.id, now, PROCESS_DELIVERY_JOB, OPENED_ONLY),
        }),
      ),
    )
  ).flat();
  expect(outcomes).toHaveLength(6);
  const incidents = await l.ctx.knex('incidents').select('id');
  expect(incidents).toHaveLength(1);
  const id = incidents[0].id as number;
  expect(outcomes.every((o) => o.incidentId === id)).toBe(true);
  expect(outcomes.filter((o) => o.opened)).toHaveLength(1);
  // Only the opener's delivery was completed with its statement; the others' callers complete theirs.
  expect(outcomes.filter((o) => o.finished)).toEqual(outcomes.filter((o) => o.opened));
  const processed = await l.ctx.knex('webhook_deliveries').where({ status: 'processed' }).select('id');
  expect(processed).toHaveLength(1);
  const firing = await l.ctx.knex('alerts').where({ status: 'firing' }).select('incident_id');
  expect(firing.map((a: { incident_id: number }) => a.incident_id)).toEqual(Array(6).fill(id));
  expect(await l.ctx.knex('incident_events').where({ type: 'incident.opened' })).toHaveLength(1);
  expect(await l.ctx.knex('incident_events').where({ type: 'alert.received', incident_id: id })).toHaveLength(6);
  expect(await l.ctx.knex('jobs').where({ id: `start-escalation-${id}` })).toHaveLength(1);
}, 30_000);

it("a later delivery of the group joins its incident: the opening's lookup found it, and its state is read in one statement after the lock", async () => {
  loop = await startLoop({ startQueue: false });
  const l = loop;
  const [opened] = await ingestAlerts(l.ctx, alertsFromAlertmanager(payload('join', ['fp-1'], 2)), {
    deliveryId: 1,
    truncated: 2,
  });
  const sent: string[] = [];
  // Only the joining delivery's statements (the first one's channel opening may still be running).
  const onQuery = (q: { sql?: string }) => {
    if (currentJob()?.name === 'joining') sent.push((q.sql ?? '').replace(/\s+/g, ' ').trim());
  };
  l.ctx.knex.on('query', onQuery);
  // Another alert of another rule (a new lead), and the sender no longer leaving any out.
  const joining = alertsFromAlertmanager(payload('join', ['fp-2'], 0)).map((a) => ({ ...a, alertname: 'Latency' }));
  const [joined] = await runInJobScope({ name: 'joining', id: 'joining-1' }, () =>
    ingestAlerts(l.ctx, joining, { deliveryId: 2, truncated: 0 }),
  );
  l.ctx.knex.removeListener('query', onQuery);
  expect(joined).toMatchObject({ incidentId: opened!.incidentId, opened: false });
  // Up to the commit (what follows is the listeners' work): the one-statement opening's lookup found the incident.
  const ingestion = sent.slice(0, sent.indexOf('COMMIT;') + 1);
  expect(ingestion[0]).toMatch(/^with found_ as/);
  expect(ingestion.slice(1, 4)).toEqual([
    'BEGIN;',
    expect.stringMatching(/^select "status", "severity" from "incidents" .* for update$/),
    expect.stringMatching(
      /^select \(select count\(\*\)::int from alerts where incident_id = \$1 and status = 'firing'\)/,
    ),
  ]);
  expect(ingestion).toHaveLength(11);
  const types = (
    await l.ctx
      .knex('incident_events')
      .where({ incident_id: opened!.incidentId })
      .where((q) => void q.where('type', 'like', 'alert%').orWhere('type', 'incident.opened'))
      .orderBy('id')
      .select('type', 'data')
  ).map((e: { type: string; data: { truncated?: number } }) =>
    e.type === 'alerts.truncated' ? `${e.type}:${e.data.truncated}` : e.type,
  );
  expect(types).toEqual([
    'incident.opened',
    'alert.received',
    'alerts.truncated:2',
    'alert.received',
    'alerts.truncated:0',
    'alert.new_lead',
  ]);
}, 30_000);
