// Storm correlation's reads on the embedded default (PGlite): the candidates in the window with their services and
// split-out services, the advisory lock, and the briefing's storm summary in one statement.
import { describe, expect, it } from 'vitest';
import { correlationCandidates, lockCorrelation, stormSummary } from '../../../src/incidents/correlation-repository.js';
import { usePGlite } from '../../helpers/pglite.js';

const pg = usePGlite();
const t0 = new Date('2026-11-30T04:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);

async function incident(publicId: string, status = 'triggered'): Promise<number> {
  const [row] = (await pg.db
    .knex('incidents')
    .insert({ public_id: publicId, title: publicId, severity: 'sev1', status, source: 'alertmanager' })
    .returning('id')) as { id: number }[];
  return row!.id;
}
async function alert(incidentId: number, service: string, fingerprint: string, receivedAt: Date): Promise<void> {
  await pg.db.knex('alerts').insert({
    incident_id: incidentId,
    source: 'alertmanager',
    fingerprint,
    status: 'firing',
    alertname: 'Down',
    service,
    starts_at: receivedAt,
    received_at: receivedAt,
  });
}

describe('correlation reads on PGlite', () => {
  it('lists open incidents of related services that paged in the window with their services, and what was split out of them', async () => {
    const storm = await incident('INC-1');
    const old = await incident('INC-2');
    const done = await incident('INC-3', 'resolved');
    const mitigated = await incident('INC-4', 'mitigated');
    await alert(mitigated, 'orders', 'f', at(20));
    await alert(storm, 'orders-db', 'a', at(0));
    await alert(storm, 'payments', 'b', at(30));
    await alert(storm, 'payments', 'c', at(40));
    await alert(old, 'search', 'd', at(-900));
    await alert(done, 'orders', 'e', at(10));
    await pg.db.knex('incident_events').insert({
      incident_id: storm,
      type: 'incident.split',
      data: JSON.stringify({ service: 'checkout' }),
    });
    const read = (related: string[]) =>
      pg.db.knex.transaction(async (trx) => {
        await lockCorrelation(trx);
        return correlationCandidates(trx, at(-300), related);
      });
    // Only incidents with an alert of a related service in the window; each with all its services in the window.
    const candidates = await read(['orders-db', 'orders', 'search']);
    expect(await read(['payments'])).toEqual(candidates);
    expect(await read(['search', 'inventory'])).toEqual([]);
    expect(await read([])).toEqual([]);
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toMatchObject({ incidentId: storm, publicId: 'INC-1', splitOut: ['checkout'] });
    const services = Object.fromEntries(candidates[0]!.services.map((s) => [s.name, s.pagedAt.toISOString()]));
    expect(services).toEqual({ 'orders-db': at(0).toISOString(), payments: at(40).toISOString() });
  });

  it('counts a join while both its services are in the incident: split either out and its line goes, merge it back and it returns', async () => {
    const storm = await incident('INC-21');
    const other = await incident('INC-22');
    await alert(storm, 'orders-db', 'p', at(0));
    await alert(storm, 'payments', 'q', at(5));
    await pg.db.knex('incident_events').insert({
      incident_id: storm,
      type: 'alert.correlated',
      data: JSON.stringify({ service: 'payments', to: 'orders-db', reason: 'payments depends on orders-db' }),
    });
    const joined = async () => (await stormSummary(pg.db.knex, storm))?.joined;
    expect(await joined()).toEqual(['payments depends on orders-db']);
    // The service others joined through goes: what is left is no storm.
    await pg.db.knex('alerts').where({ incident_id: storm, service: 'orders-db' }).update({ incident_id: other });
    expect(await stormSummary(pg.db.knex, storm)).toBeUndefined();
    // Back again (a merge): the join is told again.
    await pg.db.knex('alerts').where({ incident_id: other }).update({ incident_id: storm });
    expect(await joined()).toEqual(['payments depends on orders-db']);
    // The page's own service goes.
    await pg.db.knex('alerts').where({ incident_id: storm, service: 'payments' }).update({ incident_id: other });
    expect(await stormSummary(pg.db.knex, storm)).toBeUndefined();
  });

  it('summarises a storm for the briefing, and nothing for a plain incident', async () => {
    const id = await incident('INC-9');
    await alert(id, 'orders-db', 'x', at(0));
    expect(await stormSummary(pg.db.knex, id)).toBeUndefined();
    await alert(id, 'payments', 'y', at(2));
    await alert(id, 'payments', 'z', at(3));
    await pg.db.knex('incident_events').insert([
      {
        incident_id: id,
        type: 'alert.correlated',
        data: JSON.stringify({ service: 'payments', to: 'orders-db', reason: 'payments depends on orders-db' }),
      },
      { incident_id: id, type: 'incident.merged', data: JSON.stringify({ from: 'INC-4' }) },
    ]);
    expect(await stormSummary(pg.db.knex, id)).toEqual({
      alerts: 3,
      services: ['orders-db', 'payments'],
      joined: ['payments depends on orders-db', 'merged from INC-4'],
    });
  });
});
