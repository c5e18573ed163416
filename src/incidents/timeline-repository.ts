// The incident's append-only timeline: queries of the `incident_events` table (owned by the incidents capability).
// A state change appends here; the `incidents` row (repository.ts) is its projection.
import type { Knex } from 'knex';

type Row = Record<string, unknown>;

/** One timeline entry. `dedupeKey` makes a retried delivery or a double click append once. */
export interface TimelineEventInput {
  incidentId: number;
  type: string;
  actor: string;
  data?: Record<string, unknown>;
  at: Date;
  dedupeKey?: string;
}

export interface TimelineEvent {
  id: number;
  incidentId: number;
  at: Date;
  type: string;
  actor: string | null;
  data: Record<string, unknown>;
}

/**
 * How many times the incident has been reopened (its `incident.reopened` events). Transitions and escalation key
 * their once-only timeline entries and timers by it, so a reopened incident can be acknowledged, resolved and paged
 * again while a retry within one cycle still applies once.
 */
export async function reopenCount(db: Knex | Knex.Transaction, incidentId: number): Promise<number> {
  const row = await db('incident_events')
    .where({ incident_id: incidentId, type: 'incident.reopened' })
    .count<{ count: number }[]>('* as count')
    .first();
  return Number(row?.count ?? 0);
}

/** Timeline entries that start a new run of the escalation chain. */
export const ESCALATION_RUN_STARTS = ['incident.reopened', 'incident.unacknowledged', 'alerts.firing_again'];

/**
 * SQL: whether the escalation run the incident `alias` is in was stopped (acknowledged, or every alert resolved while
 * the incident stays open), as src/oncall/escalation-state.ts's RUN_STATE_SELECT reads it, for a statement that binds `:runStarts`
 * (ESCALATION_RUN_STARTS). A page or note asked for before the stop no longer holds.
 */
export function runStoppedSql(alias: string): string {
  const runs = `(select count(*)::int from incident_events rs where rs.incident_id = ${alias}.id and rs.type = any(:runStarts))`;
  return `exists (select 1 from incident_events se where se.incident_id = ${alias}.id
            and se.dedupe_key = case when ${runs} = 0 then 'escalation-stopped:' || ${alias}.id
                                     else 'escalation-stopped:' || ${alias}.id || ':r' || ${runs} end)`;
}

/**
 * How many times the incident's paging restarted: each reopen, each unacknowledgement (PagerDuty's
 * incident.unacknowledged) and each alert firing again after every alert had resolved starts a new run of the
 * escalation chain, acknowledged and stopped once more.
 */
export async function escalationRunCount(db: Knex | Knex.Transaction, incidentId: number): Promise<number> {
  const row = await db('incident_events')
    .where({ incident_id: incidentId })
    .whereIn('type', ESCALATION_RUN_STARTS)
    .count<{ count: number }[]>('* as count')
    .first();
  return Number(row?.count ?? 0);
}

/** A once-only key within the incident's current cycle: the key itself before any reopen, suffixed with the cycle after. */
export function cycleKey(key: string, cycle: number): string {
  return cycle === 0 ? key : `${key}:r${cycle}`;
}

/** Appends timeline events; those whose dedupe key already exists are skipped. Returns how many were written. */
export async function appendEvents(db: Knex | Knex.Transaction, events: TimelineEventInput[]): Promise<number> {
  if (events.length === 0) return 0;
  let written = 0;
  // Chunks keep each statement well under Postgres's 65,535 bind parameters during an alert storm.
  for (let i = 0; i < events.length; i += 1000) {
    const res = await appendEventsQuery(db, events.slice(i, i + 1000)).returning('id');
    written += res.length;
  }
  return written;
}

/** The insert appending these timeline events (at most a thousand), not yet run: to join another statement. */
export function appendEventsQuery(db: Knex | Knex.Transaction, events: TimelineEventInput[]): Knex.QueryBuilder {
  const rows = events.map((e) => ({
    incident_id: e.incidentId,
    type: e.type,
    actor: e.actor,
    data: JSON.stringify(e.data ?? {}),
    at: e.at,
    dedupe_key: e.dedupeKey ?? null,
  }));
  return db('incident_events').insert(rows).onConflict('dedupe_key').ignore();
}

export async function appendEvent(db: Knex | Knex.Transaction, event: TimelineEventInput): Promise<boolean> {
  return (await appendEvents(db, [event])) === 1;
}

export async function listTimeline(
  db: Knex | Knex.Transaction,
  incidentId: number,
  limit = 10_000,
): Promise<TimelineEvent[]> {
  const rows = await db('incident_events').where({ incident_id: incidentId }).orderBy('id', 'asc').limit(limit);
  return rows.map((r: Row) => ({
    id: r.id as number,
    incidentId: r.incident_id as number,
    at: r.at as Date,
    type: r.type as string,
    actor: (r.actor as string | null) ?? null,
    data: (r.data as Record<string, unknown>) ?? {},
  }));
}

/** The timeline entry written under a once-only key, if any. */
export async function findEventByKey(
  db: Knex | Knex.Transaction,
  dedupeKey: string,
): Promise<{ id: number; data: unknown } | undefined> {
  return (await db('incident_events').where({ dedupe_key: dedupeKey }).first('id', 'data')) as
    { id: number; data: unknown } | undefined;
}

/** How many entries of one type (or of any of several) the incident's timeline holds. */
export async function countEvents(
  db: Knex | Knex.Transaction,
  incidentId: number,
  type: string | string[],
): Promise<number> {
  const row = await db('incident_events')
    .where({ incident_id: incidentId })
    .whereIn('type', typeof type === 'string' ? [type] : type)
    .count<{ count: number }[]>('* as count')
    .first();
  return Number(row?.count ?? 0);
}

/** The incident's latest timeline entry of one type. */
export async function lastEventOfType(
  db: Knex | Knex.Transaction,
  incidentId: number,
  type: string,
): Promise<{ id: number; data: unknown; at: Date } | undefined> {
  return (await db('incident_events')
    .where({ incident_id: incidentId, type })
    .orderBy('id', 'desc')
    .first('id', 'data', 'at')) as { id: number; data: unknown; at: Date } | undefined;
}

/** The incident's timeline entries of the given types, oldest first: their type and actor. */
export async function eventActorsOfTypes(
  db: Knex | Knex.Transaction,
  incidentId: number,
  types: string[],
): Promise<{ type: string; actor: string | null }[]> {
  return (await db('incident_events')
    .where({ incident_id: incidentId })
    .whereIn('type', types)
    .orderBy('id', 'asc')
    .select('type', 'actor')) as { type: string; actor: string | null }[];
}

/** Whether an escalation step of round `round` or later is on the incident's timeline. */
export async function hasEscalationStepSince(
  db: Knex | Knex.Transaction,
  incidentId: number,
  round: number,
): Promise<boolean> {
  const row = await db('incident_events')
    .where({ incident_id: incidentId, type: 'escalation.step' })
    .whereRaw(`(data->>'round')::int >= ?`, [round])
    .first('id');
  return row !== undefined;
}

/** Who wrote the timeline entries of one type about a remediation run (`data.runId`), oldest first. */
export async function actorsOfRunEvents(db: Knex | Knex.Transaction, type: string, runId: number): Promise<string[]> {
  const rows = (await db('incident_events')
    .where({ type })
    .whereRaw(`(data->>'runId')::int = ?`, [runId])
    .orderBy('id')
    .select('actor')) as { actor: string }[];
  return rows.map((r) => r.actor);
}

/** The summary typed in the /incident declare form, kept on the incident's `incident.opened` entry; null when none. */
export async function declaredSummary(db: Knex | Knex.Transaction, incidentId: number): Promise<string | null> {
  const opened = await db('incident_events')
    .where({ incident_id: incidentId, type: 'incident.opened' })
    .orderBy('id', 'asc')
    .first('data');
  const summary = (opened?.data as { summary?: unknown } | undefined)?.summary;
  return typeof summary === 'string' && summary.trim() ? summary.trim() : null;
}

/** Per incident, the catalog actions that ran and were verified to help (`remediation.verified`), in order. */
export async function verifiedActionsOf(
  db: Knex | Knex.Transaction,
  incidentIds: number[],
): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (incidentIds.length === 0) return out;
  const rows = (await db('incident_events')
    .whereIn('incident_id', incidentIds)
    .where({ type: 'remediation.verified' })
    .orderBy('id', 'asc')
    .select('incident_id', 'data')) as { incident_id: number; data: unknown }[];
  for (const r of rows) {
    const data = (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as { action?: unknown } | null;
    const action = data?.action;
    if (typeof action !== 'string') continue;
    const list = out.get(r.incident_id) ?? [];
    if (!list.includes(action)) list.push(action);
    out.set(r.incident_id, list);
  }
  return out;
}

/** The incident's timeline entries of one type, oldest first, with their actor and data. */
export async function eventsOfType(
  db: Knex | Knex.Transaction,
  incidentId: number,
  type: string,
): Promise<{ actor: string; data: unknown }[]> {
  return (await db('incident_events')
    .where({ incident_id: incidentId, type })
    .orderBy('id', 'asc')
    .select('actor', 'data')) as { actor: string; data: unknown }[];
}

/** The incident's latest entry of one type whose data has `key` set (not null). */
export async function lastEventWithKey(
  db: Knex | Knex.Transaction,
  incidentId: number,
  type: string,
  key: string,
): Promise<{ id: number; data: unknown } | undefined> {
  return (await db('incident_events')
    .where({ incident_id: incidentId, type })
    .whereRaw(`data->>? is not null`, [key])
    .orderBy('id', 'desc')
    .first('id', 'data')) as { id: number; data: unknown } | undefined;
}
