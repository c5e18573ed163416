// The briefing's "Started" and the chart's onset marker name one instant to the same minute, in the team's time zone
// (issue 17): the investigation's change point when there is one, else the first alert's start (PGlite database).
import { describe, expect, it } from 'vitest';
import { envSchema, parseFileConfig, type AppConfig } from '../../../src/config.js';
import { buildBriefingView } from '../../../src/incidents/briefing-view.js';
import { findIncident } from '../../../src/incidents/repository.js';
import { clockTime } from '../../../presenters/charts/chart-of-metric.js';
import { usePGlite } from '../../helpers/pglite.js';

const pg = usePGlite();

const config: AppConfig = {
  env: envSchema.parse({}),
  file: parseFileConfig({
    teams: [{ name: 'payments', alertsChannel: 'C0ALERTS', timeZone: 'Europe/Berlin' }],
    services: [{ name: 'checkout', team: 'payments' }],
  }),
  fileSource: 'test',
};

// The alert fired at 03:20:00 UTC after its rule's `for: 5m`; the metric departed at 03:14:59.9 UTC.
const ALERT_START = new Date('2026-11-30T03:20:00Z');
const CHANGE_POINT = Date.parse('2026-11-30T03:14:59.900Z');

async function incidentWith(investigation: object | null): Promise<number> {
  const knex = pg.db.knex;
  const [row] = (await knex('incidents')
    .insert({
      public_id: `INC-${investigation ? 1 : 2}`,
      title: 'checkout 5xx above 5%',
      severity: 'sev2',
      service: 'checkout',
      team: 'payments',
      status: 'triggered',
      source: 'alertmanager',
      opened_at: new Date('2026-11-30T03:20:05Z'),
      updated_at: new Date('2026-11-30T03:20:05Z'),
      investigation: investigation ? JSON.stringify(investigation) : null,
    })
    .returning('id')) as { id: number }[];
  await knex('alerts').insert({
    incident_id: row!.id,
    fingerprint: `fp-${row!.id}`,
    source: 'alertmanager',
    alertname: 'CheckoutErrorRate',
    status: 'firing',
    labels: JSON.stringify({ alertname: 'CheckoutErrorRate', service: 'checkout' }),
    annotations: JSON.stringify({ summary: 'checkout 5xx above 5%' }),
    starts_at: ALERT_START,
  });
  return row!.id;
}

describe("the briefing's start and the chart's onset", () => {
  it('are the same instant to the same minute, in the team zone, when the investigation found a change point', async () => {
    const id = await incidentWith({ novel: true, hypotheses: [], suggestedStep: null, onset: CHANGE_POINT });
    const view = await buildBriefingView(pg.db.knex, config, (await findIncident(pg.db.knex, id))!);
    // 03:14:59.9 UTC is 04:14 in Berlin: seconds are dropped, never rounded up to 04:15, in both places.
    expect(view.startedAt).toBe('2026-11-30 04:14 GMT+1');
    expect(clockTime(CHANGE_POINT, 'Europe/Berlin')).toBe('04:14');
    expect(view.startedAt).toContain(clockTime(CHANGE_POINT, 'Europe/Berlin'));
  });

  it("fall back to the first alert's start before the investigation", async () => {
    const id = await incidentWith(null);
    const view = await buildBriefingView(pg.db.knex, config, (await findIncident(pg.db.knex, id))!);
    expect(view.startedAt).toBe('2026-11-30 04:20 GMT+1');
    expect(view.startedAt).toContain(clockTime(ALERT_START.getTime(), 'Europe/Berlin'));
  });
});
