// The reads folded into another statement (issue 18) read what their own statements read: a briefing's facts with the
// incident or with its channel's record, a pointer's messages with the incident, a message's items with their
// incidents; and an investigation's result goes with its spans, or nothing does (PGlite database).
import { describe, expect, it } from 'vitest';
import { briefingFacts, incidentForBriefing } from '../../../src/incidents/briefing-repository.js';
import { incidentForOpening, recordChannelCreated } from '../../../src/incidents/chat-repository.js';
import { itemsOfMessage, itemsOfMessageWithIncidents } from '../../../src/incidents/digest-repository.js';
import { findIncident } from '../../../src/incidents/repository.js';
import { recordInvestigation } from '../../../src/incidents/investigation-repository.js';
import { listSpans } from '../../../src/investigation/spans-repository.js';
import { usePGlite } from '../../helpers/pglite.js';

const pg = usePGlite();
let n = 0;

const investigation = {
  novel: false,
  hypotheses: [{ summary: 'a bad deploy', category: 'deploy', service: 'checkout', confidence: 0.8, evidence: [] }],
  suggestedStep: { action: 'rollback', text: 'roll back checkout', params: {} },
  checked: [],
  missing: [],
};

async function incident(f: { investigation?: object | null; channel?: boolean; resolved?: boolean } = {}) {
  n += 1;
  const knex = pg.db.knex;
  const at = new Date('2026-11-30T03:20:05Z');
  const [row] = (await knex('incidents')
    .insert({
      public_id: `INC-R${n}`,
      title: 'checkout 5xx above 5%',
      severity: 'sev2',
      service: 'checkout',
      team: 'payments',
      status: f.resolved ? 'resolved' : 'triggered',
      source: 'alertmanager',
      opened_at: at,
      updated_at: at,
      investigation: f.investigation ? JSON.stringify(f.investigation) : null,
      ...(f.channel ? { channel_id: `C0INC${n}`, channel_name: `inc-${n}`, briefing_ts: `${n}.0001` } : {}),
      ...(f.resolved
        ? { resolved_at: at, resolution: JSON.stringify({ category: 'deploy', cause: 'bad deploy of checkout' }) }
        : {}),
    })
    .returning('id')) as { id: number }[];
  const id = row!.id;
  for (const [i, status] of ['firing', 'firing', 'resolved'].entries())
    await knex('alerts').insert({
      incident_id: id,
      fingerprint: `fp-${id}-${i}`,
      source: 'alertmanager',
      alertname: i === 0 ? 'CheckoutErrorRate' : 'CheckoutLatency',
      status,
      labels: JSON.stringify({ alertname: 'CheckoutErrorRate', service: 'checkout' }),
      annotations: JSON.stringify({ summary: 'checkout 5xx above 5%' }),
      starts_at: new Date(Date.parse('2026-11-30T03:20:00Z') + i * 1000),
    });
  await knex('incident_events').insert({
    incident_id: id,
    type: 'incident.acknowledged',
    actor: 'U0ALICE',
    data: '{}',
    at,
  });
  await knex('remediation_runs').insert({
    incident_id: id,
    action: 'rollback',
    service: 'checkout',
    status: 'proposed',
    proposed_by: 'copilot',
    created_at: at,
    updated_at: at,
  });
  return id;
}

describe('a briefing read with its incident', () => {
  it('has the facts briefingFacts reads, with the suggested step and the resolved incidents to compare with', async () => {
    await incident({ resolved: true });
    const id = await incident({ investigation, channel: true });
    const loaded = await incidentForBriefing(pg.db.knex, id);
    const alone = await briefingFacts(pg.db.knex, id, { stepAction: 'rollback', similar: true });
    expect(loaded?.row.id).toBe(id);
    expect(loaded?.pointers).toBeUndefined();
    expect(loaded?.facts).toEqual(alone);
    expect(alone.counts).toEqual({ firing: 2, resolved: 1 });
    expect(alone.stepStatuses).toEqual(['proposed']);
    expect(alone.resolved?.length).toBeGreaterThan(0);
  });

  it('of an incident not investigated reads no step runs and no resolved incidents, as briefingFacts does', async () => {
    const id = await incident({ channel: true });
    const loaded = await incidentForBriefing(pg.db.knex, id);
    expect(loaded?.facts).toEqual(await briefingFacts(pg.db.knex, id, { stepAction: null, similar: false }));
    expect(loaded?.facts?.resolved).toBeUndefined();
  });

  it('without a channel reads no facts but the messages showing its pointer line', async () => {
    const id = await incident({ investigation });
    const knex = pg.db.knex;
    const base = { kind: 'pointer', target: 'C0ALERTS', requested_at: new Date(), round: 0, step: 0, steps: 1 };
    await knex('chat_digest_items').insert({
      ...base,
      incident_id: id,
      channel: 'C0ALERTS',
      ts: '9.1',
      delivered_at: new Date(),
    });
    const loaded = await incidentForBriefing(knex, id);
    expect(loaded?.facts).toBeUndefined();
    expect(loaded?.pointers).toEqual([{ channel: 'C0ALERTS', ts: '9.1', target: 'C0ALERTS' }]);
    // The open-incident job's read of it: its first alert's name, its pointer shown (no timeline entry here), where.
    const opening = await incidentForOpening(knex, id);
    expect(opening?.incident.id).toBe(id);
    expect(opening?.firstAlertname).toBe('CheckoutErrorRate');
    expect(opening?.pointerPosted).toBe(false);
    expect(opening?.pointers).toEqual([{ channel: 'C0ALERTS', ts: '9.1', target: 'C0ALERTS' }]);
    expect(await incidentForBriefing(knex, 999_999)).toBeUndefined();
  });

  it("with its channel's record has the facts briefingFacts reads; none when the channel was recorded before", async () => {
    const id = await incident({ investigation });
    const knex = pg.db.knex;
    const facts = await recordChannelCreated(knex, id, { id: 'C0NEW', name: 'inc-new' }, new Date());
    expect(facts).toEqual(await briefingFacts(knex, id, { stepAction: 'rollback', similar: true }));
    expect((await findIncident(knex, id))?.channelId).toBe('C0NEW');
    expect(await recordChannelCreated(knex, id, { id: 'C0OTHER', name: 'inc-other' }, new Date())).toBeUndefined();
    expect((await incidentForOpening(knex, id))?.firstAlertname).toBeUndefined();
  });

  it("a message's items come with their incidents, as itemsOfMessage and findIncident read them", async () => {
    const a = await incident();
    const b = await incident({ investigation });
    const knex = pg.db.knex;
    const base = { kind: 'pointer', target: 'C0ALERTS2', requested_at: new Date(), round: 0, step: 0, steps: 1 };
    const shown = { channel: 'C0ALERTS2', ts: '7.7', delivered_at: new Date() };
    await knex('chat_digest_items').insert([
      { ...base, incident_id: b, ...shown },
      { ...base, incident_id: a, ...shown },
    ]);
    const read = await itemsOfMessageWithIncidents(knex, 'pointer', 'C0ALERTS2', '7.7');
    expect(read.items).toEqual(await itemsOfMessage(knex, 'pointer', 'C0ALERTS2', '7.7'));
    expect(read.incidents.sort((x, y) => x.id - y.id)).toEqual([
      await findIncident(knex, a),
      await findIncident(knex, b),
    ]);
    expect(await itemsOfMessageWithIncidents(knex, 'pointer', 'C0ALERTS2', 'none')).toEqual({
      items: [],
      incidents: [],
    });
  });
});

describe("an investigation's record", () => {
  const step = (name: string) => ({
    name,
    kind: 'query' as const,
    startedAt: Date.now(),
    durationMs: 3,
    attributes: {},
  });
  const record = (incidentId: number, investigationId: string) => ({
    incidentId,
    result: investigation as never,
    at: new Date(),
    event: { investigationId },
    jobs: [],
    spans: { investigationId, steps: [step('list_deploys'), step('rank')] },
  });

  it('stores the result, its timeline entry and its spans (under the incident root span) in one statement', async () => {
    const id = await incident();
    const recorded = await recordInvestigation(pg.db.knex, record(id, 'inv-one'));
    expect(recorded?.incident.investigation).toEqual(investigation);
    expect(recorded?.spans.map((s) => s.name)).toEqual(['incident', 'list_deploys', 'rank']);
    const stored = await listSpans(pg.db.knex, { investigationId: 'inv-one' });
    expect(stored.map((s) => s.spanId).sort()).toEqual(
      recorded!.spans
        .slice(1)
        .map((s) => s.spanId)
        .sort(),
    );
    expect(new Set(recorded!.spans.map((s) => s.traceId)).size).toBe(1);
    expect(stored.every((s) => s.parentSpanId === recorded!.spans[0]!.spanId)).toBe(true);
    // A second run joins the same trace, with no second root span.
    const again = await recordInvestigation(pg.db.knex, record(id, 'inv-two'));
    expect(again?.spans.map((s) => s.name)).toEqual(['list_deploys', 'rank']);
    expect(again?.spans[0]?.traceId).toBe(recorded!.spans[0]!.traceId);
  });

  it('of an incident that is gone stores nothing: no result, no spans, no trace', async () => {
    const recorded = await recordInvestigation(pg.db.knex, record(888_888, 'inv-gone'));
    expect(recorded).toBeUndefined();
    expect(await listSpans(pg.db.knex, { investigationId: 'inv-gone' })).toEqual([]);
    expect(await pg.db.knex('incident_traces').where({ incident_id: 888_888 })).toEqual([]);
  });
});
