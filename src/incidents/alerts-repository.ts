// Queries of the `alerts` table (owned by the incidents capability, with repository.ts and opening-repository.ts for
// `incidents` and timeline-repository.ts for `incident_events`): recording alerts, and what other capabilities read of them.
import type { Knex } from 'knex';
import { appendEvents, appendEventsQuery, type TimelineEventInput } from './timeline-repository.js';
import type { Alert } from '../intake/alert.js';

/** Whether any alert of the incident is firing. */
export async function hasFiringAlert(db: Knex | Knex.Transaction, incidentId: number): Promise<boolean> {
  return (await db('alerts').where({ incident_id: incidentId, status: 'firing' }).first('id')) !== undefined;
}

/** The labels of the incident's first recorded alert. */
export async function firstAlertLabels(
  db: Knex | Knex.Transaction,
  incidentId: number,
): Promise<Record<string, string> | undefined> {
  const row = (await db('alerts').where({ incident_id: incidentId }).orderBy('id').first('labels')) as
    { labels?: Record<string, string> } | undefined;
  return row?.labels;
}

/** Resolved alerts that started in [start, end) that nobody acted on (no incident, or one nobody acknowledged), of a team's incidents or services, counted by alert name and service. */
export async function unacknowledgedResolvedAlerts(
  db: Knex | Knex.Transaction,
  opts: { team: string; services: string[]; start: Date; end: Date },
): Promise<{ alertname: string | null; service: string | null; count: number }[]> {
  return (await db('alerts as a')
    .leftJoin('incidents as i', 'i.id', 'a.incident_id')
    .where('a.status', 'resolved')
    .where('a.starts_at', '>=', opts.start)
    .where('a.starts_at', '<', opts.end)
    .whereNull('i.acknowledged_at')
    .where((q) => {
      q.where('i.team', opts.team);
      // `void`: the nested where's builder is a thenable; the callback only builds the clause.
      if (opts.services.length)
        q.orWhere((q2) => void q2.whereNull('a.incident_id').whereIn('a.service', opts.services));
    })
    .groupBy('a.alertname', 'a.service')
    .select('a.alertname', 'a.service')
    .count<{ alertname: string | null; service: string | null; count: number }[]>('* as count')) as {
    alertname: string | null;
    service: string | null;
    count: number;
  }[];
}

/** How many of the incident's alerts are firing. */
export async function firingCount(trx: Knex.Transaction, incidentId: number): Promise<number> {
  const row = await trx('alerts')
    .where({ incident_id: incidentId, status: 'firing' })
    .count<{ count: number }[]>('* as count')
    .first();
  return Number(row?.count ?? 0);
}

/**
 * What a batch joining an open incident needs to know of it before its alerts go in, in one statement: how many of
 * its alerts are firing, where they point (their distinct service and alert name: a firing alert pointing elsewhere
 * is a new lead) and how many alerts of the group the sender last said it left out (its latest `alerts.truncated`
 * entry; 0 when it never did). Read after the incident's lock (a statement of its own: a statement that waited for
 * the lock would still read from before the wait), so it sees what the batches before it committed.
 */
export async function alertStateOf(
  trx: Knex.Transaction,
  incidentId: number,
): Promise<{ firing: number; leads: { service: string | null; alertname: string | null }[]; truncated: number }> {
  const res = await trx.raw<{
    rows: Array<{ firing: number; leads: { service: string | null; alertname: string | null }[]; truncation: unknown }>;
  }>(
    `select
       (select count(*)::int from alerts where incident_id = ? and status = 'firing') as firing,
       (select coalesce(json_agg(l), '[]'::json)
          from (select distinct service, alertname from alerts where incident_id = ?) l) as leads,
       (select data from incident_events where incident_id = ? and type = 'alerts.truncated' order by id desc limit 1)
         as truncation`,
    [incidentId, incidentId, incidentId],
  );
  const row = res.rows[0]!;
  const data = (typeof row.truncation === 'string' ? JSON.parse(row.truncation) : row.truncation) as {
    truncated?: unknown;
  } | null;
  return {
    firing: Number(row.firing),
    leads: row.leads,
    truncated: typeof data?.truncated === 'number' ? data.truncated : 0,
  };
}

/** Records alerts: one row per (source, fingerprint, startsAt), the latest status winning. */
export async function upsertAlerts(
  trx: Knex.Transaction,
  alerts: Alert[],
  incidentId: number | null,
  now: Date,
): Promise<void> {
  const rows = alertRows(alerts, incidentId, now);
  for (let i = 0; i < rows.length; i += ALERTS_PER_STATEMENT)
    await upsertQuery(trx, rows.slice(i, i + ALERTS_PER_STATEMENT));
}

function alertRows(alerts: Alert[], incidentId: number | null, now: Date): Record<string, unknown>[] {
  return alertRecords(alerts, now).map((r) => ({
    incident_id: incidentId,
    ...r,
    labels: JSON.stringify(r.labels),
    annotations: JSON.stringify(r.annotations),
  }));
}

/**
 * The alerts' rows as `upsertAlerts` writes them, without their incident, as JSON (times as ISO strings): for a
 * statement that takes them as one jsonb parameter. One row per (source, fingerprint, startsAt), the latest status
 * winning.
 */
export function alertRecords(alerts: Alert[], now: Date): Record<string, unknown>[] {
  // An alert never moves between incidents: the upsert keeps the incident a row already has.
  const unique = new Map<string, Alert>();
  for (const a of alerts) unique.set(`${a.fingerprint}|${a.startsAt.toISOString()}`, a);
  return [...unique.values()].map((a) => ({
    source: a.source,
    fingerprint: a.fingerprint,
    status: a.status,
    alertname: a.alertname,
    service: a.service ?? null,
    severity: a.severity ?? null,
    labels: a.labels,
    annotations: a.annotations,
    starts_at: a.startsAt,
    ends_at: a.endsAt,
    group_key: a.groupKey,
    external_id: a.externalId ?? null,
    generator_url: a.generatorUrl ?? null,
    received_at: now,
    updated_at: now,
  }));
}

/** Alerts written by one statement at most (bind parameters stay well under Postgres's 65,535). */
export const ALERTS_PER_STATEMENT = 500;

function upsertQuery(trx: Knex.Transaction, rows: Record<string, unknown>[]): Knex.QueryBuilder {
  return trx('alerts')
    .insert(rows)
    .onConflict(['source', 'fingerprint', 'starts_at'])
    .merge({
      status: trx.raw('excluded.status'),
      ends_at: trx.raw('excluded.ends_at'),
      annotations: trx.raw('excluded.annotations'),
      updated_at: trx.raw('excluded.updated_at'),
      incident_id: trx.raw('coalesce(alerts.incident_id, excluded.incident_id)'),
    });
}

/**
 * upsertAlerts as a statement not yet run, to join another one (as a CTE): for at most ALERTS_PER_STATEMENT alerts
 * once deduplicated, else undefined (upsertAlerts writes them in several statements).
 */
export function upsertAlertsQuery(
  trx: Knex.Transaction,
  alerts: Alert[],
  incidentId: number | null,
  now: Date,
): Knex.QueryBuilder | undefined {
  const rows = alertRows(alerts, incidentId, now);
  return rows.length <= ALERTS_PER_STATEMENT ? upsertQuery(trx, rows) : undefined;
}

/** The latest alert of the incident with this source and fingerprint (the one that asked for a re-investigation). */
export async function latestAlertOfFingerprint(
  db: Knex | Knex.Transaction,
  incidentId: number,
  source: string,
  fingerprint: string,
): Promise<Record<string, unknown> | undefined> {
  return (await db('alerts')
    .where({ incident_id: incidentId, source, fingerprint })
    .orderBy('starts_at', 'desc')
    .orderBy('id', 'desc')
    .first()) as Record<string, unknown> | undefined;
}

/** Counts of an incident's alerts by status. */
export async function countAlerts(
  db: Knex | Knex.Transaction,
  incidentId: number,
): Promise<{ firing: number; resolved: number }> {
  const rows = await db('alerts')
    .where({ incident_id: incidentId })
    .select('status')
    .count<{ status: string; count: number }[]>('* as count')
    .groupBy('status');
  const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.count)]));
  return { firing: by.firing ?? 0, resolved: by.resolved ?? 0 };
}

/** The incident's earliest firing alert's labels and annotations (what paged). */
export async function firstAlert(
  db: Knex | Knex.Transaction,
  incidentId: number,
): Promise<Record<string, unknown> | undefined> {
  return db('alerts').where({ incident_id: incidentId }).orderBy('starts_at', 'asc').orderBy('id', 'asc').first();
}

/**
 * Appends the timeline entries after running `before` (a data-modifying statement not yet run, e.g. an upsert of
 * alerts): both in one statement when the entries fit in one.
 */
export async function appendEventsWith(
  trx: Knex.Transaction,
  events: TimelineEventInput[],
  before: Knex.QueryBuilder | undefined,
): Promise<void> {
  if (!before || events.length === 0 || events.length > 1000) {
    if (before) await before;
    await appendEvents(trx, events);
    return;
  }
  const b = before.toSQL();
  const e = appendEventsQuery(trx, events).toSQL();
  await trx.raw(`with b as (${b.sql}) ${e.sql}`, [...b.bindings, ...e.bindings]);
}
