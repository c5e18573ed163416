// The incidents repository: rows of the `incidents` table (knex, no business rules). The timeline (`incident_events`)
// is in timeline-repository.ts, opening and reopening from alerts in opening-repository.ts, `alerts` in
// alerts-repository.ts.
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
  /** `slo`: opened by the copilot's own SLO evaluation (a burn it measured). */
  source: 'alertmanager' | 'pagerduty' | 'manual' | 'slo';
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
  /** The steps of opening the incident in chat that are done, each with when it was done (ISO time). */
  chatProgress: ChatProgress;
  openedAt: Date;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  version: number;
  /** The escalation policy frozen into the incident (raw JSON, read with the row; the oncall capability parses it). */
  escalationSnapshot?: unknown;
}

/** Steps of opening an incident in chat beyond the channel and the first briefing (which the row records itself). */
export type ChatStep = 'topic' | 'invited' | 'pointer';
export type ChatProgress = Partial<Record<ChatStep, string>>;

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
    chatProgress: (r.chat_progress as ChatProgress | null) ?? {},
    openedAt: r.opened_at as Date,
    acknowledgedAt: (r.acknowledged_at as Date | null) ?? null,
    resolvedAt: (r.resolved_at as Date | null) ?? null,
    version: r.version as number,
    ...(r.escalation_snapshot != null ? { escalationSnapshot: r.escalation_snapshot } : {}),
  };
}

export async function findIncident(db: Knex | Knex.Transaction, id: number): Promise<Incident | undefined> {
  const row = await db('incidents').where({ id }).first();
  return row ? toIncident(row) : undefined;
}

/** The incidents with these ids, in one statement (those not found are left out). */
export async function findIncidents(db: Knex | Knex.Transaction, ids: number[]): Promise<Incident[]> {
  if (!ids.length) return [];
  const rows = (await db('incidents').whereIn('id', ids)) as Row[];
  return rows.map(toIncident);
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

/** The incident of a group that is not resolved (what a PagerDuty state change applies to). */
export async function findOpenIncidentByGroupKey(
  db: Knex | Knex.Transaction,
  groupKey: string,
): Promise<Incident | undefined> {
  const row = await db('incidents').where({ group_key: groupKey }).whereNot({ status: 'resolved' }).first();
  return row ? toIncident(row) : undefined;
}

/**
 * Ids of the incidents that are not resolved and concern a service: paged for it, or with a hypothesis about it in
 * their investigation (a deploy of the upstream service the investigation blames concerns the paged one's incident).
 */
export async function openIncidentIdsOfService(db: Knex | Knex.Transaction, service: string): Promise<number[]> {
  const rows = (await db('incidents')
    .whereNot({ status: 'resolved' })
    .andWhere((q) => {
      q.where({ service }).orWhereRaw(`investigation->'hypotheses' @> ?::jsonb`, [JSON.stringify([{ service }])]);
    })
    .orderBy('id')
    .select('id')) as {
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

/**
 * Freezes an escalation policy into the incident; unless `replace`, only when none is frozen yet. Returns, from the
 * same statement, the snapshot the row now holds (an earlier one wins) with its team and opening time.
 */
export async function saveEscalationSnapshot(
  db: Knex | Knex.Transaction,
  id: number,
  snapshot: unknown,
  replace: boolean,
): Promise<{ snapshot: unknown; team: string | null; openedAt: Date } | undefined> {
  const value = JSON.stringify(snapshot);
  const rows = (await db('incidents')
    .where({ id })
    .update({
      escalation_snapshot: replace ? value : db.raw('coalesce(escalation_snapshot, ?::jsonb)', [value]),
    })
    .returning(['escalation_snapshot', 'team', 'opened_at'])) as Row[];
  const row = rows[0];
  return row
    ? {
        snapshot: row.escalation_snapshot ?? null,
        team: (row.team as string | null) ?? null,
        openedAt: row.opened_at as Date,
      }
    : undefined;
}

/** A resolved incident with the root cause people gave when resolving it (incidents.resolution). */
export interface ResolvedIncident {
  publicId: string;
  title: string;
  service: string | null;
  resolvedAt: Date;
  resolution: { category?: string; cause?: string | null; summary?: string };
}

/** The most recently resolved incidents (of one service when given) that have a root cause, newest first. */
export async function listResolvedWithRootCause(
  db: Knex | Knex.Transaction,
  opts: { service?: string; excludeId?: number; limit?: number } = {},
): Promise<ResolvedIncident[]> {
  const q = db('incidents')
    .where({ status: 'resolved' })
    .whereNotNull('resolution')
    .orderBy('resolved_at', 'desc')
    .limit(opts.limit ?? 5);
  if (opts.service !== undefined) q.andWhere({ service: opts.service });
  if (opts.excludeId !== undefined) q.andWhereNot({ id: opts.excludeId });
  const rows = (await q.select('public_id', 'title', 'service', 'resolved_at', 'resolution')) as Row[];
  return rows
    .map((r) => ({
      publicId: r.public_id as string,
      title: r.title as string,
      service: (r.service as string | null) ?? null,
      resolvedAt: new Date(r.resolved_at as string | Date),
      resolution: (typeof r.resolution === 'string'
        ? JSON.parse(r.resolution)
        : r.resolution) as ResolvedIncident['resolution'],
    }))
    .filter((r) => Boolean(r.resolution?.category || r.resolution?.cause || r.resolution?.summary));
}

/** A resolved incident with what similarity compares: what paged, its last investigation, its confirmed cause. */
export interface ResolvedForSimilarity extends ResolvedIncident {
  id: number;
  page: PageSummary | null;
  investigation: InvestigationResult | null;
}

/** The most recently resolved incidents whose resolution names a root cause (kind or cause), newest first. */
export async function listResolvedForSimilarity(
  db: Knex | Knex.Transaction,
  opts: { excludeId?: number; limit?: number } = {},
): Promise<ResolvedForSimilarity[]> {
  const q = db('incidents')
    .where({ status: 'resolved' })
    .whereNotNull('resolution')
    .orderBy('resolved_at', 'desc')
    .limit(opts.limit ?? 50);
  if (opts.excludeId !== undefined) q.andWhereNot({ id: opts.excludeId });
  return resolvedForSimilarityOf(
    (await q.select(
      'id',
      'public_id',
      'title',
      'service',
      'resolved_at',
      'resolution',
      'page',
      'investigation',
    )) as Row[],
  );
}

/**
 * listResolvedForSimilarity's reading (excluding the incident `:id`, 50 at most) as one JSON array, for a statement
 * that reads it with other things (the briefing's facts).
 */
export const RESOLVED_FOR_SIMILARITY = `select coalesce(json_agg(x order by x.resolved_at desc), '[]'::json) from (
    select id, public_id, title, service, resolved_at, resolution, page, investigation from incidents
     where status = 'resolved' and resolution is not null and id <> :id order by resolved_at desc limit 50) x`;

/** Rows as listResolvedForSimilarity selects them (or as JSON), those naming a root cause. */
export function resolvedForSimilarityOf(rows: Row[]): ResolvedForSimilarity[] {
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  return rows
    .map((r) => ({
      id: Number(r.id),
      publicId: r.public_id as string,
      title: r.title as string,
      service: (r.service as string | null) ?? null,
      resolvedAt: new Date(r.resolved_at as string | Date),
      resolution: json(r.resolution) as ResolvedIncident['resolution'],
      page: (json(r.page) as PageSummary | null) ?? null,
      investigation: (json(r.investigation) as InvestigationResult | null) ?? null,
    }))
    .filter((r) => Boolean(r.resolution?.category || r.resolution?.cause));
}
