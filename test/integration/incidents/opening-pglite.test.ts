// The one-statement opening and the alerts' lookup on the embedded default (PGlite): a new group's incident is opened
// with its alerts, timeline entries, jobs and tail; the same group then finds it (nothing written), and a recently
// resolved incident holding a firing alert is found to reopen.
import { describe, expect, it } from 'vitest';
import { alertRecords } from '../../../src/incidents/alerts-repository.js';
import {
  OPENED_ONLY,
  findIncidentOfAlerts,
  openIncidentUnlessFound,
  type AlertsLookup,
} from '../../../src/incidents/opening-repository.js';
import type { Alert } from '../../../src/intake/alert.js';
import { deliveryCompletionParts } from '../../../src/intake/deliveries-repository.js';
import { usePGlite } from '../../helpers/pglite.js';

const pg = usePGlite();
const now = new Date('2026-11-30T04:00:00Z');

const alert = (fingerprint: string): Alert => ({
  source: 'alertmanager',
  fingerprint,
  status: 'firing',
  alertname: 'Down',
  labels: { service: 'orders' },
  annotations: {},
  startsAt: now,
  endsAt: null,
  service: 'orders',
  severity: 'critical',
  groupKey: 'alertmanager:g',
  externalId: undefined,
  generatorUrl: undefined,
});
const lookup = (fingerprints: string[]): AlertsLookup => ({
  groupKey: 'alertmanager:g',
  source: 'alertmanager',
  fingerprints,
  firing: fingerprints,
  since: new Date(now.getTime() - 30 * 60_000),
});
const fields = {
  prefix: 'INC',
  title: 'orders down',
  severity: 'sev2' as const,
  service: 'orders',
  team: null,
  source: 'alertmanager' as const,
  groupKey: 'alertmanager:g',
  externalId: null,
  escalationSnapshot: null,
  page: null,
  now,
};
const rows = (fingerprint: string) => ({
  alerts: alertRecords([alert(fingerprint)], now),
  events: [
    { type: 'incident.opened', actor: 'copilot', at: now, data: {}, keyPrefix: 'opened:', keySuffix: '' },
    {
      type: 'alert.received',
      actor: 'alertmanager',
      at: now,
      data: {},
      keyPrefix: 'alert:',
      keySuffix: `:${fingerprint}`,
    },
  ],
  jobs: [
    { name: 'investigate-incident', idPrefix: 'investigate-incident-', runAt: now, maxAttempts: 3, backoffMs: 10 },
  ],
  jobsAt: now,
});
/** A stored delivery, and its completion as the statement's tail (outside a job: the delivery's update alone). */
async function delivery(name: string) {
  const [row] = (await pg.db
    .knex('webhook_deliveries')
    .insert({ source: 'alertmanager', delivery_id: name, headers: {}, body: {}, received_at: now })
    .returning('id')) as { id: number }[];
  return { id: row!.id, tail: deliveryCompletionParts(row!.id, now, 'process-delivery', OPENED_ONLY) };
}
const statusOf = async (id: number) =>
  ((await pg.db.knex('webhook_deliveries').where({ id }).first()) as { status: string }).status;

describe('opening an incident in one statement on PGlite', () => {
  it('opens a new group with its rows and tail, then finds it; a resolved one is found to reopen', async () => {
    const knex = pg.db.knex;
    const d1 = await delivery('d1');
    const first = await openIncidentUnlessFound(knex, lookup(['fp-1']), fields, rows('fp-1'), d1.tail);
    expect(first.found).toBeUndefined();
    const id = first.opened!.id;
    expect(first.opened).toMatchObject({ status: 'triggered', groupKey: 'alertmanager:g', title: 'orders down' });
    expect(await statusOf(d1.id)).toBe('processed');
    expect(
      (await knex('alerts').where({ incident_id: id })).map((a: { fingerprint: string }) => a.fingerprint),
    ).toEqual(['fp-1']);
    expect(
      (await knex('incident_events').where({ incident_id: id }).orderBy('id')).map(
        (e: { dedupe_key: string }) => e.dedupe_key,
      ),
    ).toEqual([`opened:${id}`, `alert:${id}:fp-1`]);
    expect(
      await knex('jobs')
        .where({ id: `investigate-incident-${id}` })
        .first(),
    ).toMatchObject({
      payload: { incidentId: id },
      status: 'pending',
    });

    // The same group again (another alert of it): found, nothing written, the tail not run.
    const d2 = await delivery('d2');
    const again = await openIncidentUnlessFound(knex, lookup(['fp-2']), fields, rows('fp-2'), d2.tail);
    expect(again.opened).toBeUndefined();
    expect(again.found?.open?.id).toBe(id);
    expect(await knex('alerts').where({ fingerprint: 'fp-2' })).toHaveLength(0);
    expect(await knex('incidents')).toHaveLength(1);
    expect(await statusOf(d2.id)).toBe('received');

    await knex('incidents')
      .where({ id })
      .update({ status: 'resolved', resolved_at: new Date(now.getTime() - 60_000) });
    expect(await findIncidentOfAlerts(knex, lookup(['fp-1']))).toEqual({
      reopen: { id, resolvedAt: new Date(now.getTime() - 60_000), fingerprint: 'fp-1' },
    });
    // A different alert of the group reopens nothing: a new incident.
    expect(await findIncidentOfAlerts(knex, lookup(['fp-3']))).toBeUndefined();
  });
});
