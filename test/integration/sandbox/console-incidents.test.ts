// The console's incidents page over a real (PGlite) database: the list and one incident's timeline and decision trace
// come from the app's repositories through the console's HTTP API; bad ids are refused before any query.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { appendEvent } from '../../../src/incidents/timeline-repository.js';
import { listIncidentListings } from '../../../src/incidents/listings-repository.js';
import { saveSpans } from '../../../src/investigation/spans-repository.js';
import { createIncidentsRouter } from '../../../sandbox/console/incidents-router.js';
import { usePGlite } from '../../helpers/pglite.js';

const pg = usePGlite();
const T0 = Date.parse('2026-11-30T03:00:00Z');
const at = (ms: number) => new Date(T0 + ms);

let server: Server;
let base = '';
let knex: Knex | undefined;

async function get(path: string): Promise<{ status: number; body: { html?: string; error?: string } }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: (await res.json()) as { html?: string; error?: string } };
}

async function insert(fields: Record<string, unknown>): Promise<number> {
  const [row] = (await pg.db
    .knex('incidents')
    .insert({ team: 'payments', source: 'alertmanager', updated_at: at(0), ...fields })
    .returning(['id'])) as { id: number }[];
  return row!.id;
}

beforeAll(async () => {
  const app = express();
  app.use(
    createIncidentsRouter({
      knex: () => knex,
      now: () => at(4 * 3_600_000),
      names: { userName: (id) => ({ U0PRIMARY: 'Priya' })[id], channelName: () => undefined },
      logger: createLogger({ level: 'silent' }),
    }),
  );
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

describe('the console incidents API', () => {
  it('answers 503 until the app has started', async () => {
    expect(await get('/sandbox/console/api/incidents')).toEqual({
      status: 503,
      body: { error: 'the app is still starting' },
    });
  });

  it('lists incidents newest first, and shows one with its timeline and decision trace', async () => {
    knex = pg.db.knex;
    const first = await insert({
      public_id: 'INC-1',
      title: 'checkout 5xx above 5%',
      severity: 'sev2',
      service: 'checkout',
      status: 'resolved',
      commander: 'U0PRIMARY',
      opened_at: at(0),
      investigation: JSON.stringify({ onset: T0 - 240_000, hypotheses: [] }),
      acknowledged_at: at(95_000),
      mitigated_at: at(12 * 60_000 + 5_000),
      resolved_at: at(2 * 3_600_000 + 20 * 60_000),
    });
    await insert({
      public_id: 'INC-2',
      title: '<img src=x onerror=alert(1)> search latency',
      severity: 'sev1',
      service: 'search',
      status: 'triggered',
      opened_at: at(3 * 3_600_000),
    });
    await appendEvent(knex, { incidentId: first, type: 'incident.opened', actor: 'alertmanager', at: at(0) });
    await appendEvent(knex, { incidentId: first, type: 'incident.acknowledged', actor: 'U0PRIMARY', at: at(95_000) });
    await appendEvent(knex, {
      incidentId: first,
      type: 'message',
      actor: 'U0PRIMARY',
      at: at(100_000),
      data: { text: '<script>alert(1)</script>' },
    });
    await saveSpans(knex, first, 'inv-1', [
      { name: 'execute_tool query_metrics', kind: 'tool_call', startedAt: T0 + 1_000, durationMs: 900, attributes: {} },
      {
        name: 'prometheus error ratio',
        kind: 'query',
        startedAt: T0 + 1_010,
        durationMs: 200,
        attributes: { rows: 42 },
      },
      { name: 'rank hypotheses', kind: 'decision', startedAt: T0 + 2_000, durationMs: 0, attributes: {} },
    ]);

    const listings = await listIncidentListings(knex);
    expect(listings.map((i) => [i.publicId, i.status, i.mitigatedAt?.toISOString() ?? null])).toEqual([
      ['INC-2', 'triggered', null],
      ['INC-1', 'resolved', '2026-11-30T03:12:05.000Z'],
    ]);
    // Its onset is where the investigation saw the metric depart; with no investigation and no alert, the opening.
    expect(listings.map((i) => i.onsetAt.toISOString())).toEqual([
      '2026-11-30T06:00:00.000Z',
      '2026-11-30T02:56:00.000Z',
    ]);

    const list = await get('/sandbox/console/api/incidents');
    expect(list.status).toBe(200);
    const rows = [...list.body.html!.matchAll(/<tr class="incident-row" data-incident="([^"]+)">/g)].map((m) => m[1]);
    expect(rows).toEqual(['INC-2', 'INC-1']);
    expect(list.body.html).toContain(
      '<td class="ttack">1m 35s</td><td class="ttmit">12m 5s</td><td class="duration">2h 20m</td>',
    );
    expect(list.body.html).toContain('<td class="duration">1h <span class="muted">(open)</span></td>');
    expect(list.body.html).not.toMatch(/<img/);

    const one = await get('/sandbox/console/api/incidents/inc-1');
    expect(one.status).toBe(200);
    const entries = [...one.body.html!.matchAll(/<li class="timeline-entry" data-type="([^"]+)">/g)].map((m) => m[1]);
    expect(entries).toEqual(['incident.opened', 'incident.acknowledged', 'message']);
    expect(one.body.html).toMatch(
      /execute_tool query_metrics[\s\S]*<ul><li class="span span-query">[\s\S]*prometheus error ratio/,
    );
    expect(one.body.html).toContain('<span class="span-time">+10 ms · 200 ms</span>');
    expect(one.body.html).not.toMatch(/<script/);
  });

  it('refuses a malformed id and says when an incident does not exist', async () => {
    knex = pg.db.knex;
    expect(await get(`/sandbox/console/api/incidents/${encodeURIComponent("1' or '1'='1")}`)).toEqual({
      status: 400,
      body: { error: 'expected an incident id such as INC-12' },
    });
    expect(await get('/sandbox/console/api/incidents/INC-99')).toEqual({
      status: 404,
      body: { error: 'no incident INC-99' },
    });
  });
});
