// Reopening on real Postgres and the local Slack: an alert that fires again within incidents.regroupWindow of its
// incident's resolve reopens that incident (once, across replicas) and pages again; later, a new incident opens.
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/context.js';
import { ingestAlerts, type IngestOutcome } from '../../../src/incidents/ingest-alerts.js';
import { acknowledgeIncident, resolveIncident } from '../../../src/incidents/transitions.js';
import { alertmanagerPayloadSchema, alertsFromAlertmanager } from '../../../src/intake/alert.js';
import { makeAlertmanagerAlert, makeAlertmanagerPayload } from '../../helpers/factories.js';
import { TEST_FILE_CONFIG, post, startLoop, waitFor, type Loop } from './harness.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const MIN = 60_000;
const GROUP = 'reopen-group';

/** A clock the test moves forward; the queue keeps real time. */
function movableClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (ms) => void (offset += ms) };
}

async function loop(opts: Parameters<typeof startLoop>[0] = {}, drop = true): Promise<Loop> {
  const l = await startLoop(opts);
  cleanup.push(() => l.stop({ drop }));
  return l;
}

/** One delivery of the group with one alert (a fresh startsAt makes it a new firing of the same rule). */
function delivery(fingerprint: string, startsAt: string, status: 'firing' | 'resolved' = 'firing'): string {
  return JSON.stringify(
    makeAlertmanagerPayload({
      groupKey: GROUP,
      status,
      alerts: [makeAlertmanagerAlert(fingerprint, { startsAt, status })],
    }),
  );
}

type Msg = { ts: string; text: string; blocks?: unknown[]; thread_ts?: string };
const messages = (l: Loop, channel: string) => (l.slack.state.messages.get(channel) ?? []) as Msg[];
const eventsOf = async (l: Loop, incidentId: number, type: string) =>
  (await l.ctx.knex('incident_events').where({ incident_id: incidentId, type }).orderBy('id')) as {
    data: Record<string, unknown>;
    dedupe_key: string;
    actor: string;
  }[];
const button = { id: 'U0PRIMARY', via: 'button' };

/** Opens the group's incident from a firing delivery, lets its alert recover, acknowledges and resolves it. */
async function openAndResolve(
  l: Loop,
): Promise<{ id: number; channel_id: string; briefing_ts: string; group_key: string }> {
  expect((await post(l.url, '/webhooks/alertmanager', delivery('fp-1', '2026-11-20T03:00:00Z'))).status).toBe(202);
  const incident = await waitFor('the incident and its briefing', () =>
    l.ctx.knex('incidents').whereNotNull('briefing_ts').first(),
  );
  expect(
    (await post(l.url, '/webhooks/alertmanager', delivery('fp-1', '2026-11-20T03:00:00Z', 'resolved'))).status,
  ).toBe(202);
  await waitFor('the recovery', () =>
    l.ctx.knex('alerts').where({ incident_id: incident.id, status: 'resolved' }).first(),
  );
  expect((await acknowledgeIncident(l.ctx, incident.id, button)).applied).toBe(true);
  expect((await resolveIncident(l.ctx, incident.id, button)).applied).toBe(true);
  return incident;
}

describe('reopening a recently resolved incident', () => {
  it('a firing alert 12 min after resolve reopens the incident: triggered again, on the timeline, briefed and told in the channel', async () => {
    const clock = movableClock();
    const l = await loop({ clock });
    const incident = await openAndResolve(l);
    await waitFor('the briefing showing the resolve', () =>
      messages(l, incident.channel_id).find((m) => m.ts === incident.briefing_ts && m.text.endsWith('(Resolved)')),
    );

    clock.advance(12 * MIN);
    expect((await post(l.url, '/webhooks/alertmanager', delivery('fp-1', '2026-11-20T04:00:00Z'))).status).toBe(202);
    const row = await waitFor('the incident reopened', async () => {
      const r = await l.ctx.knex('incidents').where({ id: incident.id }).first();
      return r.status === 'triggered' ? r : undefined;
    });
    expect(row.resolved_at).toBeNull();
    expect(await l.ctx.knex('incidents').count<{ count: number }[]>('* as count')).toEqual([{ count: 1 }]);
    // The new firing joined the reopened incident.
    const refired = await l.ctx.knex('alerts').where({ fingerprint: 'fp-1', status: 'firing' }).first();
    expect(refired.incident_id).toBe(incident.id);
    const reopened = await eventsOf(l, incident.id, 'incident.reopened');
    expect(reopened).toHaveLength(1);
    expect(reopened[0]!.data).toMatchObject({
      reopenCount: 1,
      alertname: 'HighErrorRate',
      fingerprint: 'fp-1',
      minutesAfterResolve: 12,
    });

    await waitFor('the reopen note in the channel', () =>
      messages(l, incident.channel_id).find((m) =>
        m.text.includes('Reopened: HighErrorRate fired again 12 min after resolve'),
      ),
    );
    const briefing = await waitFor('the briefing showing the incident triggered again', () =>
      messages(l, incident.channel_id).find((m) => m.ts === incident.briefing_ts && m.text.endsWith('(Triggered)')),
    );
    // Who resolved it belongs to the earlier run: the reopened briefing no longer says so.
    expect(JSON.stringify(briefing.blocks)).not.toContain('resolved by');

    // The reopened incident is acknowledged and resolved again, each recorded again on the timeline.
    expect((await acknowledgeIncident(l.ctx, incident.id, button)).applied).toBe(true);
    expect((await resolveIncident(l.ctx, incident.id, button)).applied).toBe(true);
    expect((await resolveIncident(l.ctx, incident.id, button)).applied).toBe(false);
    expect(await eventsOf(l, incident.id, 'incident.acknowledged')).toHaveLength(2);
    expect(await eventsOf(l, incident.id, 'incident.resolved')).toHaveLength(2);

    // And it reopens a second time.
    clock.advance(5 * MIN);
    await post(l.url, '/webhooks/alertmanager', delivery('fp-1', '2026-11-20T05:00:00Z'));
    await waitFor('the second reopen', async () => (await eventsOf(l, incident.id, 'incident.reopened')).length === 2);
    expect((await eventsOf(l, incident.id, 'incident.reopened'))[1]!.data).toMatchObject({
      reopenCount: 2,
      minutesAfterResolve: 5,
    });
    expect((await l.ctx.knex('incidents').where({ id: incident.id }).first()).status).toBe('triggered');
    await waitFor('the second reopen note', () =>
      messages(l, incident.channel_id).find((m) => m.text.includes('fired again 5 min after resolve')),
    );
  });

  it('a firing alert after the regroup window opens a new incident and leaves the resolved one resolved', async () => {
    const clock = movableClock();
    const l = await loop({ clock });
    const incident = await openAndResolve(l);
    clock.advance(31 * MIN);
    await post(l.url, '/webhooks/alertmanager', delivery('fp-1', '2026-11-20T04:00:00Z'));
    const second = await waitFor('a new incident', () =>
      l.ctx.knex('incidents').whereNot({ id: incident.id }).whereNotNull('briefing_ts').first(),
    );
    expect(second).toMatchObject({ public_id: 'INC-2', status: 'triggered', group_key: `alertmanager:${GROUP}` });
    expect((await l.ctx.knex('incidents').where({ id: incident.id }).first()).status).toBe('resolved');
    expect(await eventsOf(l, incident.id, 'incident.reopened')).toHaveLength(0);
    expect((await l.ctx.knex('alerts').where({ fingerprint: 'fp-1', status: 'firing' }).first()).incident_id).toBe(
      second.id,
    );
  });

  it('the window is incidents.regroupWindow: with 5m, a firing 6 min after resolve opens a new incident', async () => {
    const clock = movableClock();
    const l = await loop({ clock, fileConfig: { ...TEST_FILE_CONFIG, incidents: { regroupWindow: '5m' } } });
    const incident = await openAndResolve(l);
    clock.advance(6 * MIN);
    await post(l.url, '/webhooks/alertmanager', delivery('fp-1', '2026-11-20T04:00:00Z'));
    await waitFor('a new incident', () => l.ctx.knex('incidents').whereNot({ id: incident.id }).first());
    expect((await l.ctx.knex('incidents').where({ id: incident.id }).first()).status).toBe('resolved');
  });

  it('two replicas receiving the group firing again at once reopen it once', async () => {
    const clock = movableClock();
    const a = await loop({ clock });
    const b = await loop({ clock, schema: a.schema, slack: a.slack }, false);
    const incident = await openAndResolve(a);
    clock.advance(2 * MIN);
    // Each delivery carries the alert that fired again (what reopens) and one more pod of the same rule.
    const bodies = Array.from({ length: 6 }, (_, i) =>
      JSON.stringify(
        makeAlertmanagerPayload({
          groupKey: GROUP,
          alerts: [
            makeAlertmanagerAlert('fp-1', { startsAt: '2026-11-20T04:00:00Z', pod: 'checkout-fp-1' }),
            makeAlertmanagerAlert(`fp-race-${i}`, { startsAt: '2026-11-20T04:00:00Z' }),
          ],
        }),
      ),
    );
    const answers = await Promise.all(
      bodies.map((body, i) => post((i % 2 ? b : a).url, '/webhooks/alertmanager', body)),
    );
    expect(answers.map((r) => r.status)).toEqual([202, 202, 202, 202, 202, 202]);
    await waitFor(
      'every alert recorded',
      async () => (await a.ctx.knex('alerts').where({ status: 'firing' })).length === 7,
    );
    expect(await a.ctx.knex('incidents').count<{ count: number }[]>('* as count')).toEqual([{ count: 1 }]);
    expect(
      (await a.ctx.knex('alerts').where({ status: 'firing' }).distinct('incident_id')).map(
        (r: { incident_id: number }) => r.incident_id,
      ),
    ).toEqual([incident.id]);
    expect(await eventsOf(a, incident.id, 'incident.reopened')).toHaveLength(1);
    await waitFor('the reopen note', () => messages(a, incident.channel_id).find((m) => m.text.includes('Reopened:')));
    await new Promise((r) => setTimeout(r, 500));
    expect(messages(a, incident.channel_id).filter((m) => m.text.includes('Reopened:'))).toHaveLength(1);
  });

  it('when a new incident of the group is opened while the reopen waits, the alerts join the new incident instead', async () => {
    const clock = movableClock();
    const l = await loop({ clock });
    const incident = await openAndResolve(l);
    clock.advance(2 * MIN);
    // Another writer opens an incident of the group and holds its transaction: the reopen's update waits on the
    // partial unique index, then meets the conflict once that commits. Ingesting must join theirs, not fail.
    const alerts = alertsFromAlertmanager(
      alertmanagerPayloadSchema.parse(JSON.parse(delivery('fp-1', '2026-11-20T04:00:00Z'))),
    );
    const trx = await l.ctx.knex.transaction();
    let other: { id: number } | undefined;
    let ingesting: Promise<IngestOutcome[]> | undefined;
    try {
      [other] = await trx('incidents')
        .insert({
          public_id: 'INC-900',
          title: 'opened elsewhere',
          severity: 'sev1',
          service: 'checkout',
          team: 'payments',
          status: 'triggered',
          source: 'alertmanager',
          group_key: incident.group_key,
        })
        .returning('id');
      ingesting = ingestAlerts(l.ctx, alerts, { deliveryId: 0 });
      ingesting.catch(() => {});
      await waitFor('the reopen waiting on the index', async () => {
        const r = await l.ctx.knex.raw(
          `select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query ilike 'update "incidents"%'`,
        );
        return (r.rows as { n: number }[])[0]!.n > 0;
      });
    } finally {
      await trx.commit();
    }
    const outcomes = await ingesting!;
    expect(outcomes).toEqual([expect.objectContaining({ incidentId: other!.id, opened: false })]);
    expect(outcomes[0]!.reopened).toBeUndefined();
    expect((await l.ctx.knex('alerts').where({ fingerprint: 'fp-1', status: 'firing' }).first()).incident_id).toBe(
      other!.id,
    );
    expect((await l.ctx.knex('incidents').where({ id: incident.id }).first()).status).toBe('resolved');
    expect(await eventsOf(l, incident.id, 'incident.reopened')).toHaveLength(0);
  });

  it('a reopened incident pages through the escalation chain again, once, and acknowledging it stops that run', async () => {
    const clock = movableClock();
    // The loop runs on-call as the app wires it.
    const l = await loop({ clock });
    expect((await post(l.url, '/webhooks/alertmanager', delivery('fp-1', '2026-11-20T03:00:00Z'))).status).toBe(202);
    const incident = await waitFor('the incident and its briefing', () =>
      l.ctx.knex('incidents').whereNotNull('briefing_ts').first(),
    );
    // SEV1 pages the rotation's primary at once.
    const first = await waitFor('the first page', () =>
      l.ctx.knex('pages').where({ incident_id: incident.id }).first(),
    );
    await acknowledgeIncident(l.ctx, incident.id, button);
    await waitFor(
      'the escalation stopped',
      async () => (await eventsOf(l, incident.id, 'escalation.stopped')).length === 1,
    );
    await resolveIncident(l.ctx, incident.id, button);

    clock.advance(3 * MIN);
    await post(l.url, '/webhooks/alertmanager', delivery('fp-1', '2026-11-20T04:00:00Z'));
    const repaged = await waitFor('the primary paged again', async () => {
      const pages = await l.ctx.knex('pages').where({ incident_id: incident.id }).orderBy('id');
      return pages.length === 2 ? pages : undefined;
    });
    expect(repaged.map((p: { user: string; step: number }) => [p.user, p.step])).toEqual([
      [first.user, 0],
      [first.user, 0],
    ]);
    expect(await eventsOf(l, incident.id, 'escalation.started')).toHaveLength(2);
    const dms = [...l.slack.state.messages.entries()]
      .filter(([channel]) => channel.startsWith('D'))
      .flatMap(([, m]) => m as Msg[]);
    const pagesSent = dms.filter((m) => m.text.includes(incident.public_id));
    expect(pagesSent).toHaveLength(2);
    // Each page counts the steps of its own run: no "round 2" for the reopened incident's first step.
    expect(pagesSent.map((m) => JSON.stringify(m.blocks))).not.toEqual(
      expect.arrayContaining([expect.stringContaining('round')]),
    );
    // Each run's paging notice counts the steps of its own run, not the rounds of earlier ones. The first run's went
    // to the incident's channel, or to the team's alerts channel when it was asked for before the channel was
    // recorded (the escalation starts beside the channel's opening); the reopened run's goes to the channel.
    const notices = (channel: string) =>
      messages(l, channel).filter((m) => m.text.includes(`${incident.public_id}: paging`));
    await waitFor(
      'the paging notices',
      () =>
        notices(incident.channel_id).length >= 1 &&
        notices(incident.channel_id).length + notices('C0ALERTS').length === 2,
    );
    for (const m of [...notices(incident.channel_id), ...notices('C0ALERTS')]) {
      expect(m.text).toContain('(step 1 of 3)');
      expect(m.text).not.toContain('round');
    }

    // Acknowledging the reopened incident stops its run again.
    expect((await acknowledgeIncident(l.ctx, incident.id, button)).applied).toBe(true);
    await waitFor(
      'the second run stopped',
      async () => (await eventsOf(l, incident.id, 'escalation.stopped')).length === 2,
    );
    const pending = await l.ctx
      .knex('jobs')
      .where({ name: 'escalate-incident' })
      .whereIn('status', ['pending', 'running']);
    expect(pending).toEqual([]);
  });
});
