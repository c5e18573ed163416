// What storm correlation reads and writes of the incidents capability's tables (`incidents`, `alerts`,
// `incident_events`): the open incidents that paged within the window, with their services, and the storm's summary
// for the briefing. Queried here rather than in repository.ts so the decision's reads stay in one place.
import type { Knex } from 'knex';
import type { CorrelationCandidate } from './correlation.js';

/**
 * Incidents still being worked (triggered or acknowledged) with an alert of one of `related` (relatedServices)
 * received since `since`, each with all its services (the last time each paged) and the services responders split
 * out of it. Two statements, whatever the number of incidents; none when no service is related.
 */
export async function correlationCandidates(
  trx: Knex.Transaction,
  since: Date,
  related: readonly string[],
): Promise<CorrelationCandidate[]> {
  if (!related.length) return [];
  const rows = (await trx('alerts as a')
    .join('incidents as i', 'i.id', 'a.incident_id')
    // Still being worked: a mitigated incident's fix held, so a later page is a new failure, not part of its storm.
    .whereIn('i.status', ['triggered', 'acknowledged'])
    .where('a.received_at', '>=', since)
    .whereNotNull('a.service')
    .whereIn(
      'i.id',
      trx('alerts as r')
        .where('r.received_at', '>=', since)
        .whereIn('r.service', [...related])
        .select('r.incident_id'),
    )
    .groupBy('i.id', 'i.public_id', 'a.service')
    .select('i.id', 'i.public_id', 'a.service')
    .max('a.received_at as paged_at')) as { id: number; public_id: string; service: string; paged_at: Date | string }[];
  const byId = new Map<number, CorrelationCandidate>();
  for (const r of rows) {
    const c = byId.get(r.id) ?? { incidentId: r.id, publicId: r.public_id, services: [], splitOut: [] };
    c.services.push({ name: r.service, pagedAt: new Date(r.paged_at) });
    byId.set(r.id, c);
  }
  if (byId.size) {
    const splits = (await trx('incident_events')
      .whereIn('incident_id', [...byId.keys()])
      .where({ type: 'incident.split' })
      .select('incident_id', trx.raw(`data->>'service' as service`))) as { incident_id: number; service: string }[];
    for (const s of splits) byId.get(s.incident_id)?.splitOut.push(s.service);
  }
  return [...byId.values()].sort((a, b) => a.incidentId - b.incidentId);
}

/**
 * Serialises the decisions to open or join among pages of services in the graph, so two pages of one outage
 * arriving at once cannot both open an incident; held until the transaction ends.
 */
export async function lockCorrelation(trx: Knex.Transaction): Promise<void> {
  await trx.raw(`select pg_advisory_xact_lock(hashtext('incident-copilot:storm-correlation'))`);
}

/** What the briefing says of a storm: how many alerts and services the incident covers, and why pages were joined. */
export interface StormSummary {
  alerts: number;
  services: string[];
  /** The recorded reasons of each join, oldest first ("payments depends on orders-db, paged 40 s after"). */
  joined: string[];
}

/**
 * The columns stormSummary reads, as subselects on the incident id `:id` (the briefing reads them with its facts).
 * A join counts while both its services are still in the incident: one split out (either the page's or the one it
 * joined through) takes the join's line off, and merging it back brings it again.
 */
export const STORM_COLUMNS = `(select coalesce(json_agg(json_build_object('type', e.type, 'reason', e.data->>'reason', 'from', e.data->>'from')
                                 order by e.id), '[]'::json)
          from incident_events e where e.incident_id = :id and e.type in ('alert.correlated', 'incident.merged')
           and (e.type <> 'alert.correlated'
                or (exists (select 1 from alerts a where a.incident_id = :id and a.service = e.data->>'service')
                    and exists (select 1 from alerts a where a.incident_id = :id and a.service = e.data->>'to')))) as joined,
       (select count(*)::int from alerts where incident_id = :id) as alerts,
       (select coalesce(json_agg(distinct service), '[]'::json) from alerts where incident_id = :id and service is not null)
         as services`;

/** The row STORM_COLUMNS reads. */
export interface StormRow {
  joined?: unknown;
  alerts?: unknown;
  services?: unknown;
}

/** The incident's storm summary, in one statement; undefined when no page was ever joined to it (a plain incident). */
export async function stormSummary(db: Knex | Knex.Transaction, incidentId: number): Promise<StormSummary | undefined> {
  const result = await db.raw(`select ${STORM_COLUMNS}`, { id: incidentId });
  return stormOfRow((result as { rows: StormRow[] }).rows[0] ?? {});
}

/** The storm summary of a row STORM_COLUMNS read; undefined when nothing was joined to the incident. */
export function stormOfRow(row: StormRow): StormSummary | undefined {
  const parse = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
  const joined = (parse(row.joined) ?? []) as { type: string; reason: string | null; from: string | null }[];
  if (!joined.length) return undefined;
  return {
    alerts: Number(row.alerts ?? 0),
    services: [...((parse(row.services) ?? []) as string[])].sort(),
    joined: joined.map((j) =>
      j.type === 'incident.merged' ? `merged from ${j.from ?? 'another incident'}` : (j.reason ?? 'connected'),
    ),
  };
}
