// The incidents repository: rows of incidents, alerts and the append-only timeline (knex, no business rules).
import type { Knex } from 'knex';
import type { Severity } from '../config.js';
import type { InvestigationResult, PageSummary } from '../investigation/ports.js';

export type IncidentStatus = 'triggered' | 'acknowledged' | 'mitigated' | 'resolved';

/** An incident row, as the core reads it. */
export interface Incident {
  id: number;
  publicId: string;
  title: string;
  severity: Severity;
  service: string | null;
  team: string | null;
  status: IncidentStatus;
  source: 'alertmanager' | 'pagerduty' | 'manual';
  groupKey: string | null;
  externalId: string | null;
  commander: string | null;
  responders: string[];
  channelId: string | null;
  channelName: string | null;
  briefingTs: string | null;
  investigation: InvestigationResult | null;
  /** What paged, as parsed at intake (or declared); null for incidents opened before it was stored. */
  page: PageSummary | null;
  briefingState: unknown;
  openedAt: Date;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  version: number;
}

/** One timeline entry. `dedupeKey` makes a retried delivery or a double click append once. */
export interface TimelineEventInput {
  incidentId: number;
  type: string;
  actor: string;
  data?: Record<string, unknown>;
  at?: Date;
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

type Row = Record<string, unknown>;

export function toIncident(r: Row): Incident {
  return {
    id: r.id as number,
    publicId: r.public_id as string,
    title: r.title as string,
    severity: r.severity as Severity,
    service: (r.service as string | null) ?? null,
    team: (r.team as string | null) ?? null,
    status: r.status as IncidentStatus,
    source: r.source as Incident['source'],
    groupKey: (r.group_key as string | null) ?? null,
    externalId: (r.external_id as string | null) ?? null,
    commander: (r.commander as string | null) ?? null,
    responders: (r.responders as string[] | null) ?? [],
    channelId: (r.channel_id as string | null) ?? null,
    channelName: (r.channel_name as string | null) ?? null,
    briefingTs: (r.briefing_ts as string | null) ?? null,
    investigation: (r.investigation as InvestigationResult | null) ?? null,
    page: (r.page as PageSummary | null) ?? null,
    briefingState: r.briefing_state ?? null,
    openedAt: r.opened_at as Date,
    acknowledgedAt: (r.acknowledged_at as Date | null) ?? null,
    resolvedAt: (r.resolved_at as Date | null) ?? null,
    version: r.version as number,
  };
}

export async function findIncident(db: Knex | Knex.Transaction, id: number): Promise<Incident | undefined> {
  const row = await db('incidents').where({ id }).first();
  return row ? toIncident(row) : undefined;
}

export async function findIncidentByPublicId(db: Knex | Knex.Transaction, publicId: string): Promise<Incident | undefined> {
  const row = await db('incidents').whereRaw('lower(public_id) = lower(?)', [publicId]).first();
  return row ? toIncident(row) : undefined;
}

export async function findIncidentByChannel(db: Knex | Knex.Transaction, channelId: string): Promise<Incident | undefined> {
  const row = await db('incidents').where({ channel_id: channelId }).orderBy('id', 'desc').first();
  return row ? toIncident(row) : undefined;
}

/** The open incident of a group, locked for the rest of the transaction. */
export async function findOpenIncidentForUpdate(trx: Knex.Transaction, groupKey: string): Promise<Incident | undefined> {
  const row = await trx('incidents').where({ group_key: groupKey }).whereNot({ status: 'resolved' }).forUpdate().first();
  return row ? toIncident(row) : undefined;
}

/**
 * How many times the incident has been reopened (its `incident.reopened` events). Transitions and escalation key
 * their once-only timeline entries and timers by it, so a reopened incident can be acknowledged, resolved and paged
 * again while a retry within one cycle still applies once.
 */
export async function reopenCount(db: Knex | Knex.Transaction, incidentId: number): Promise<number> {
  const row = await db('incident_events').where({ incident_id: incidentId, type: 'incident.reopened' }).count<{ count: number }[]>('* as count').first();
  return Number(row?.count ?? 0);
}

/**
 * How many times the incident's paging restarted: each reopen, each unacknowledgement (PagerDuty's
 * incident.unacknowledged) and each alert firing again after every alert had resolved starts a new run of the
 * escalation chain, acknowledged and stopped once more.
 */
export async function escalationRunCount(db: Knex | Knex.Transaction, incidentId: number): Promise<number> {
  const row = await db('incident_events')
    .where({ incident_id: incidentId })
    .whereIn('type', ['incident.reopened', 'incident.unacknowledged', 'alerts.firing_again'])
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
    const rows = events.slice(i, i + 1000).map((e) => ({
      incident_id: e.incidentId,
      type: e.type,
      actor: e.actor,
      data: JSON.stringify(e.data ?? {}),
      at: e.at ?? new Date(),
      dedupe_key: e.dedupeKey ?? null,
    }));
    const res = await db('incident_events').insert(rows).onConflict('dedupe_key').ignore().returning('id');
    written += res.length;
  }
  return written;
}

export async function appendEvent(db: Knex | Knex.Transaction, event: TimelineEventInput): Promise<boolean> {
  return (await appendEvents(db, [event])) === 1;
}

export async function listTimeline(db: Knex | Knex.Transaction, incidentId: number, limit = 10_000): Promise<TimelineEvent[]> {
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

/** Counts of an incident's alerts by status. */
export async function countAlerts(db: Knex | Knex.Transaction, incidentId: number): Promise<{ firing: number; resolved: number }> {
  const rows = await db('alerts').where({ incident_id: incidentId }).select('status').count<{ status: string; count: number }[]>('* as count').groupBy('status');
  const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.count)]));
  return { firing: by.firing ?? 0, resolved: by.resolved ?? 0 };
}

/** How many alerts of the incident's group the sender last said it left out (0 when it never did). */
export async function latestTruncation(db: Knex | Knex.Transaction, incidentId: number): Promise<number> {
  const row = (await db('incident_events').where({ incident_id: incidentId, type: 'alerts.truncated' }).orderBy('id', 'desc').first('data')) as { data?: unknown } | undefined;
  const data = (typeof row?.data === 'string' ? JSON.parse(row.data) : row?.data) as { truncated?: unknown } | undefined;
  return typeof data?.truncated === 'number' ? data.truncated : 0;
}

/** The incident's earliest firing alert's labels and annotations (what paged). */
export async function firstAlert(db: Knex | Knex.Transaction, incidentId: number): Promise<Row | undefined> {
  return db('alerts').where({ incident_id: incidentId }).orderBy('starts_at', 'asc').orderBy('id', 'asc').first();
}

/** The summary typed in the /incident declare form, kept on the incident's `incident.opened` entry; null when none. */
export async function declaredSummary(db: Knex | Knex.Transaction, incidentId: number): Promise<string | null> {
  const opened = await db('incident_events').where({ incident_id: incidentId, type: 'incident.opened' }).orderBy('id', 'asc').first('data');
  const summary = (opened?.data as { summary?: unknown } | undefined)?.summary;
  return typeof summary === 'string' && summary.trim() ? summary.trim() : null;
}
