// Opening and reopening incidents from alerts (src/incidents/ingest-alerts.ts) and declarations: the `incidents`
// inserts and the lookups that join `alerts` to find an alert's open or recently resolved incident.
import type { Knex } from 'knex';
import type { Severity } from '../config.js';
import type { PageSummary } from '../investigation/ports.js';
import { toIncident, type Incident } from './repository.js';

type Row = Record<string, unknown>;

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

/** A resolved incident of the group that one of the firing alerts belonged to: it reopens. */
export interface ReopenCandidate {
  id: number;
  resolvedAt: Date;
  fingerprint: string;
}

/** What a group's alerts join: the open incident holding one of them or of their group, or a resolved one to reopen. */
export type AlertsIncident = { open: Incident; reopen?: undefined } | { open?: undefined; reopen: ReopenCandidate };

/** The lookup of the incident a group's alerts belong to (see `findIncidentOfAlerts`). */
export interface AlertsLookup {
  groupKey: string;
  source: string;
  /** Every alert's fingerprint: an open incident holding one of them takes the batch. */
  fingerprints: string[];
  /** The firing alerts' fingerprints: one of them in the group's incident resolved after `since` reopens it. */
  firing: string[];
  since: Date;
}

// The open incident holding one of the alerts (same source and fingerprint), else the group's open incident, else the
// group's incident resolved after `since` that held one of the firing alerts (latest resolved first): one row at most,
// the incident's columns with `pick_` (0, 1, 2 in that order) and, for a reopen, the fingerprint that matched.
const LOOKUP_SQL = `select * from (
   (select i.*, 0 as pick_, cast(null as text) as reopen_fingerprint_
      from incidents i join alerts a on a.incident_id = i.id
     where a.source = :lookupSource and i.status <> 'resolved'
       and a.fingerprint in (select jsonb_array_elements_text(cast(:lookupFingerprints as jsonb)))
     order by i.id limit 1)
   union all
   (select i.*, 1, null from incidents i where i.group_key = :lookupGroupKey and i.status <> 'resolved' limit 1)
   union all
   (select i.*, 2, a.fingerprint from incidents i join alerts a on a.incident_id = i.id
     where i.group_key = :lookupGroupKey and i.status = 'resolved' and a.source = :lookupSource
       and a.fingerprint in (select jsonb_array_elements_text(cast(:lookupFiring as jsonb)))
       and i.resolved_at > :lookupSince
     order by i.resolved_at desc limit 1)
 ) f order by pick_ limit 1`;

function lookupBindings(q: AlertsLookup): Record<string, unknown> {
  return {
    lookupSource: q.source,
    lookupGroupKey: q.groupKey,
    lookupFingerprints: JSON.stringify(q.fingerprints),
    lookupFiring: JSON.stringify(q.firing),
    lookupSince: q.since,
  };
}

function toAlertsIncident(row: Row | undefined): AlertsIncident | undefined {
  if (!row) return undefined;
  if (Number(row.pick_) < 2) return { open: toIncident(row) };
  return {
    reopen: {
      id: row.id as number,
      resolvedAt: new Date(row.resolved_at as Date),
      fingerprint: row.reopen_fingerprint_ as string,
    },
  };
}

/** The incident the group's alerts belong to, in one statement; undefined when none (a new incident, or correlation). */
export async function findIncidentOfAlerts(
  db: Knex | Knex.Transaction,
  q: AlertsLookup,
): Promise<AlertsIncident | undefined> {
  const res = await db.raw<{ rows: Row[] }>(LOOKUP_SQL, lookupBindings(q));
  return toAlertsIncident(res.rows[0]);
}

/** A timeline entry of an incident opened by `openIncidentUnlessFound`: its key is `keyPrefix` + the incident's id + `keySuffix`. */
export interface OpeningEvent {
  type: string;
  actor: string;
  at: Date;
  data: Record<string, unknown>;
  keyPrefix: string;
  keySuffix: string;
}

/** A job of an incident opened by `openIncidentUnlessFound`: its id is `idPrefix` + the incident's id, its payload `{ incidentId }`. */
export interface OpeningJob {
  name: string;
  idPrefix: string;
  runAt: Date;
  maxAttempts: number;
  backoffMs: number;
}

/**
 * More of the same statement, run only when it opens the incident: `ctes` (comma-separated `name as (...)`), whose
 * conditions are `onlyIf` below; `result` an expression on them the statement returns (as `tail_`).
 */
export interface OpeningTail {
  ctes: string;
  result: string;
  bindings: Record<string, unknown>;
}

/** The condition a tail's parts take: the statement opened the incident. */
export const OPENED_ONLY = 'exists (select 1 from opened_)';

/**
 * In ONE statement: looks the group's incident up as `findIncidentOfAlerts` does and, when there is none, inserts the
 * paged incident (as `insertPagedIncident`), its alerts, its timeline entries, its jobs and the tail. Nothing is
 * written unless the incident is: the lookup found one (returned as `found`), or another writer opened the group's
 * incident meanwhile (the partial unique index; neither is returned, and the caller looks again).
 */
export async function openIncidentUnlessFound(
  db: Knex,
  q: AlertsLookup,
  f: PagedIncidentFields,
  rows: { alerts: Record<string, unknown>[]; events: OpeningEvent[]; jobs: OpeningJob[]; jobsAt: Date },
  tail?: OpeningTail,
): Promise<{ opened?: Incident; found?: AlertsIncident; tail?: unknown }> {
  const res = await db.raw<{ rows: Row[] }>(
    `with found_ as (${LOOKUP_SQL}),
     opened_ as (
       insert into incidents (public_id, title, severity, service, team, status, source, group_key, external_id,
                              escalation_snapshot, page, opened_at, updated_at)
       select :prefix || '-' || nextval('incident_number_seq'), :title, :severity, :service, :team, 'triggered',
              :source, :groupKey, :externalId, cast(:snapshot as jsonb), cast(:page as jsonb), :now, :now
       where not exists (select 1 from found_)
       on conflict (group_key) where status <> 'resolved' and group_key is not null do nothing
       returning *
     ),
     alerts_ as (
       insert into alerts (incident_id, source, fingerprint, status, alertname, service, severity, labels, annotations,
                           starts_at, ends_at, group_key, external_id, generator_url, received_at, updated_at)
       select o.id, a.source, a.fingerprint, a.status, a.alertname, a.service, a.severity, a.labels, a.annotations,
              a.starts_at, a.ends_at, a.group_key, a.external_id, a.generator_url, a.received_at, a.updated_at
       from opened_ o cross join jsonb_to_recordset(cast(:alerts as jsonb)) as a(source text, fingerprint text,
         status text, alertname text, service text, severity text, labels jsonb, annotations jsonb,
         starts_at timestamptz, ends_at timestamptz, group_key text, external_id text, generator_url text,
         received_at timestamptz, updated_at timestamptz)
       on conflict (source, fingerprint, starts_at) do update set status = excluded.status, ends_at = excluded.ends_at,
         annotations = excluded.annotations, updated_at = excluded.updated_at,
         incident_id = coalesce(alerts.incident_id, excluded.incident_id)
     ),
     events_ as (
       insert into incident_events (incident_id, type, actor, data, at, dedupe_key)
       select o.id, e.type, e.actor, e.data, e.at, e.key_prefix || o.id || e.key_suffix
       from opened_ o cross join jsonb_to_recordset(cast(:events as jsonb))
         as e(ord int, type text, actor text, data jsonb, at timestamptz, key_prefix text, key_suffix text)
       order by e.ord
       on conflict (dedupe_key) do nothing
     ),
     jobs_ as (
       insert into jobs (id, name, payload, status, run_at, max_attempts, backoff_ms, created_at, updated_at)
       select j.id_prefix || o.id, j.name, jsonb_build_object('incidentId', o.id), 'pending', j.run_at,
              j.max_attempts, j.backoff_ms, :jobsAt, :jobsAt
       from opened_ o cross join jsonb_to_recordset(cast(:jobs as jsonb))
         as j(name text, id_prefix text, run_at timestamptz, max_attempts int, backoff_ms int)
       on conflict (id) do nothing
     )${tail ? `, ${tail.ctes}` : ''}
     select u.*${tail ? `, ${tail.result} as tail_` : ''} from (
       select o.*, -1 as pick_, cast(null as text) as reopen_fingerprint_ from opened_ o
       union all select * from found_
     ) u`,
    {
      ...lookupBindings(q),
      ...pagedIncidentBindings(f),
      alerts: JSON.stringify(rows.alerts),
      events: JSON.stringify(
        rows.events.map((e, ord) => ({
          ord,
          type: e.type,
          actor: e.actor,
          data: e.data,
          at: e.at.toISOString(),
          key_prefix: e.keyPrefix,
          key_suffix: e.keySuffix,
        })),
      ),
      jobs: JSON.stringify(
        rows.jobs.map((j) => ({
          name: j.name,
          id_prefix: j.idPrefix,
          run_at: j.runAt.toISOString(),
          max_attempts: j.maxAttempts,
          backoff_ms: j.backoffMs,
        })),
      ),
      jobsAt: rows.jobsAt,
      ...(tail?.bindings ?? {}),
    },
  );
  const row = res.rows[0];
  if (!row) return {};
  if (Number(row.pick_) === -1) return { opened: toIncident(row), tail: row.tail_ };
  return { found: toAlertsIncident(row) };
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

/** A paged incident to insert (triggered, with the next public id of the prefix). */
export interface PagedIncidentFields {
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
}

function pagedIncidentBindings(f: PagedIncidentFields): Record<string, unknown> {
  return {
    prefix: f.prefix,
    title: f.title,
    severity: f.severity,
    service: f.service,
    team: f.team,
    source: f.source,
    groupKey: f.groupKey,
    externalId: f.externalId,
    snapshot: f.escalationSnapshot ? JSON.stringify(f.escalationSnapshot) : null,
    page: f.page ? JSON.stringify(f.page) : null,
    now: f.now,
  };
}

/** Inserts a paged incident, triggered, with the next public id of the prefix; undefined when its group already has an open one. */
export async function insertPagedIncident(
  trx: Knex.Transaction,
  f: PagedIncidentFields,
): Promise<Incident | undefined> {
  const res = await trx.raw(
    `insert into incidents (public_id, title, severity, service, team, status, source, group_key, external_id, escalation_snapshot, page, opened_at, updated_at)
     values (:prefix || '-' || nextval('incident_number_seq'), :title, :severity, :service, :team, 'triggered', :source, :groupKey, :externalId, cast(:snapshot as jsonb), cast(:page as jsonb), :now, :now)
     on conflict (group_key) where status <> 'resolved' and group_key is not null do nothing
     returning *`,
    pagedIncidentBindings(f),
  );
  const row = (res.rows as Row[])[0];
  return row ? toIncident(row) : undefined;
}
