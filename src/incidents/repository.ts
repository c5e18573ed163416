// The incidents repository: rows of incidents, alerts and the append-only timeline (knex, no business rules).
import type { Knex } from 'knex';
import type { Severity } from '../config.js';
import type { InvestigationResult, PageSummary } from '../investigation/ports.js';
import type { Alert } from '../intake/alert.js';

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

export async function findIncidentByPublicId(
  db: Knex | Knex.Transaction,
  publicId: string,
): Promise<Incident | undefined> {
  const row = await db('incidents').whereRaw('lower(public_id) = lower(?)', [publicId]).first();
  return row ? toIncident(row) : undefined;
}

export async function findIncidentByChannel(
  db: Knex | Knex.Transaction,
  channelId: string,
): Promise<Incident | undefined> {
  const row = await db('incidents').where({ channel_id: channelId }).orderBy('id', 'desc').first();
  return row ? toIncident(row) : undefined;
}

/** The open incident of a group, locked for the rest of the transaction. */
export async function findOpenIncidentForUpdate(
  trx: Knex.Transaction,
  groupKey: string,
): Promise<Incident | undefined> {
  const row = await trx('incidents')
    .where({ group_key: groupKey })
    .whereNot({ status: 'resolved' })
    .forUpdate()
    .first();
  return row ? toIncident(row) : undefined;
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

/** How many alerts of the incident's group the sender last said it left out (0 when it never did). */
export async function latestTruncation(db: Knex | Knex.Transaction, incidentId: number): Promise<number> {
  const row = (await db('incident_events')
    .where({ incident_id: incidentId, type: 'alerts.truncated' })
    .orderBy('id', 'desc')
    .first('data')) as { data?: unknown } | undefined;
  const data = (typeof row?.data === 'string' ? JSON.parse(row.data) : row?.data) as
    { truncated?: unknown } | undefined;
  return typeof data?.truncated === 'number' ? data.truncated : 0;
}

/** The incident's earliest firing alert's labels and annotations (what paged). */
export async function firstAlert(db: Knex | Knex.Transaction, incidentId: number): Promise<Row | undefined> {
  return db('alerts').where({ incident_id: incidentId }).orderBy('starts_at', 'asc').orderBy('id', 'asc').first();
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

// ---------------------------------------------------------------------------------------------------------------
// Queries other capabilities make of `incidents` and `incident_events` (this module owns them; alerts-repository.ts
// owns `alerts`).

/** The incident of a group that is not resolved (what a PagerDuty state change applies to). */
export async function findOpenIncidentByGroupKey(
  db: Knex | Knex.Transaction,
  groupKey: string,
): Promise<Incident | undefined> {
  const row = await db('incidents').where({ group_key: groupKey }).whereNot({ status: 'resolved' }).first();
  return row ? toIncident(row) : undefined;
}

/** Ids of the incidents of a service that are not resolved. */
export async function openIncidentIdsOfService(db: Knex | Knex.Transaction, service: string): Promise<number[]> {
  const rows = (await db('incidents').where({ service }).whereNot({ status: 'resolved' }).select('id')) as {
    id: number;
  }[];
  return rows.map((r) => r.id);
}

/** Incidents that are not resolved, oldest first; of one team when given. */
export async function listOpenIncidents(
  db: Knex | Knex.Transaction,
  opts: { team?: string; limit?: number } = {},
): Promise<Incident[]> {
  const q = db('incidents').whereNot({ status: 'resolved' }).orderBy('opened_at', 'asc');
  if (opts.team !== undefined) q.where({ team: opts.team });
  if (opts.limit !== undefined) q.limit(opts.limit);
  return ((await q) as Row[]).map(toIncident);
}

/** Triggered incidents that page (not SEV3): what the escalation watchdog checks. */
export async function listPagingIncidents(db: Knex | Knex.Transaction): Promise<{ id: number; openedAt: Date }[]> {
  const rows = (await db('incidents')
    .where({ status: 'triggered' })
    .whereNot({ severity: 'sev3' })
    .select('id', 'opened_at')) as { id: number; opened_at: Date }[];
  return rows.map((r) => ({ id: r.id, openedAt: new Date(r.opened_at) }));
}

/** Locks the incident's row for the rest of the transaction and returns its status and severity. */
export async function lockIncidentState(
  trx: Knex.Transaction,
  id: number,
): Promise<{ status: IncidentStatus; severity: Severity } | undefined> {
  return (await trx('incidents').where({ id }).forUpdate().first('status', 'severity')) as
    { status: IncidentStatus; severity: Severity } | undefined;
}

/** Sets fields of the incident, bumping its version; returns the updated incident. */
export async function updateIncident(
  db: Knex | Knex.Transaction,
  id: number,
  fields: { severity?: Severity; commander?: string | null },
  now: Date,
): Promise<Incident | undefined> {
  const rows = (await db('incidents')
    .where({ id })
    .update({ ...fields, updated_at: now, version: db.raw('version + 1') })
    .returning('*')) as Row[];
  return rows[0] ? toIncident(rows[0]) : undefined;
}

/**
 * Applies `fields` only while the incident is in one of `fromStatuses`, bumping its version; returns the updated row,
 * or undefined when the status no longer matches. The conditional update is the guard: of two simultaneous changes,
 * only one matches the status it expects.
 */
export async function updateIncidentIfStatus(
  trx: Knex.Transaction,
  id: number,
  fromStatuses: string[],
  fields: Record<string, unknown>,
  now: Date,
): Promise<Incident | undefined> {
  const rows = (await trx('incidents')
    .where({ id })
    .whereIn('status', fromStatuses)
    .update({ ...fields, updated_at: now, version: trx.raw('version + 1') })
    .returning('*')) as Row[];
  return rows[0] ? toIncident(rows[0]) : undefined;
}

/** Stores the result of the incident's latest investigation. */
export async function saveInvestigation(
  db: Knex | Knex.Transaction,
  id: number,
  result: InvestigationResult,
  now: Date,
): Promise<void> {
  await db('incidents')
    .where({ id })
    .update({ investigation: JSON.stringify(result), updated_at: now });
}

/** The escalation policy frozen into the incident (raw JSON), with the team and opening time it was frozen for. */
export async function escalationSnapshotRow(
  db: Knex | Knex.Transaction,
  id: number,
): Promise<{ snapshot: unknown; team: string | null; openedAt: Date } | undefined> {
  const row = await db('incidents').where({ id }).first('escalation_snapshot', 'team', 'opened_at');
  return row
    ? {
        snapshot: row.escalation_snapshot ?? null,
        team: (row.team as string | null) ?? null,
        openedAt: row.opened_at as Date,
      }
    : undefined;
}

/** Freezes an escalation policy into the incident; unless `replace`, only when none is frozen yet. */
export async function saveEscalationSnapshot(
  db: Knex | Knex.Transaction,
  id: number,
  snapshot: unknown,
  replace: boolean,
): Promise<void> {
  const q = db('incidents').where({ id });
  if (!replace) q.whereNull('escalation_snapshot');
  await q.update({ escalation_snapshot: JSON.stringify(snapshot) });
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

// ---------------------------------------------------------------------------------------------------------------
// Alerts joining incidents (src/incidents/ingest-alerts.ts).

/** Inserts a declared incident (`/incident declare`), triggered, with the next public id of the prefix. */
export async function insertDeclaredIncident(
  trx: Knex.Transaction,
  f: {
    prefix: string;
    title: string;
    severity: Severity;
    service: string | null;
    team: string | null;
    commander: string;
    page: PageSummary;
    now: Date;
  },
): Promise<Incident> {
  const res = await trx.raw(
    `insert into incidents (public_id, title, severity, service, team, status, source, commander, page, opened_at, updated_at)
     values (? || '-' || nextval('incident_number_seq'), ?, ?, ?, ?, 'triggered', 'manual', ?, ?, ?, ?) returning *`,
    [f.prefix, f.title, f.severity, f.service, f.team, f.commander, JSON.stringify(f.page), f.now, f.now],
  );
  return toIncident((res.rows as Row[])[0]!);
}

/** The open incident holding one of the alerts (same source and fingerprint). */
export async function findByFingerprint(trx: Knex.Transaction, alerts: Alert[]): Promise<Incident | undefined> {
  const row = await trx('incidents as i')
    .join('alerts as a', 'a.incident_id', 'i.id')
    .whereIn(
      'a.fingerprint',
      alerts.map((a) => a.fingerprint),
    )
    .where('a.source', alerts[0]!.source)
    .whereNot('i.status', 'resolved')
    .orderBy('i.id', 'asc')
    .first('i.*');
  return row ? toIncident(row) : undefined;
}

/** The group's incident resolved after `since` that held one of the alerts (same source and fingerprint), latest resolved first. */
export async function findReopenCandidate(
  trx: Knex.Transaction,
  q: { groupKey: string; source: string; fingerprints: string[]; since: Date },
): Promise<{ id: number; resolvedAt: Date; fingerprint: string } | undefined> {
  const row = await trx('incidents as i')
    .join('alerts as a', 'a.incident_id', 'i.id')
    .where({ 'i.group_key': q.groupKey, 'i.status': 'resolved', 'a.source': q.source })
    .whereIn('a.fingerprint', q.fingerprints)
    .where('i.resolved_at', '>', q.since)
    .orderBy('i.resolved_at', 'desc')
    .first('i.id', 'i.resolved_at', 'a.fingerprint');
  return row
    ? { id: row.id as number, resolvedAt: new Date(row.resolved_at as Date), fingerprint: row.fingerprint as string }
    : undefined;
}

/**
 * Puts a resolved incident back to triggered with its diagnosis cleared; undefined when it is no longer resolved, or
 * when another incident of its group is open (the partial unique index refuses it, inside a savepoint so the caller's
 * transaction goes on).
 */
export async function reopenResolvedIncident(
  trx: Knex.Transaction,
  id: number,
  now: Date,
): Promise<Incident | undefined> {
  let rows: Row[] = [];
  try {
    rows = await trx.transaction((sp) =>
      sp('incidents')
        .where({ id, status: 'resolved' })
        .update({
          status: 'triggered',
          resolved_at: null,
          investigation: null,
          updated_at: now,
          version: sp.raw('version + 1'),
        })
        .returning('*'),
    );
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
  }
  return rows[0] ? toIncident(rows[0]) : undefined;
}

/** Inserts a paged incident, triggered, with the next public id of the prefix; undefined when its group already has an open one. */
export async function insertPagedIncident(
  trx: Knex.Transaction,
  f: {
    prefix: string;
    title: string;
    severity: Severity;
    service: string | null;
    team: string | null;
    source: Incident['source'];
    groupKey: string;
    externalId: string | null;
    escalationSnapshot: unknown;
    page: PageSummary | null;
    now: Date;
  },
): Promise<Incident | undefined> {
  const res = await trx.raw(
    `insert into incidents (public_id, title, severity, service, team, status, source, group_key, external_id, escalation_snapshot, page, opened_at, updated_at)
     values (? || '-' || nextval('incident_number_seq'), ?, ?, ?, ?, 'triggered', ?, ?, ?, ?, ?, ?, ?)
     on conflict (group_key) where status <> 'resolved' and group_key is not null do nothing
     returning *`,
    [
      f.prefix,
      f.title,
      f.severity,
      f.service,
      f.team,
      f.source,
      f.groupKey,
      f.externalId,
      f.escalationSnapshot ? JSON.stringify(f.escalationSnapshot) : null,
      f.page ? JSON.stringify(f.page) : null,
      f.now,
      f.now,
    ],
  );
  const row = (res.rows as Row[])[0];
  return row ? toIncident(row) : undefined;
}
