// Opening and reopening incidents from alerts (src/incidents/ingest-alerts.ts) and declarations: the `incidents`
// inserts and the lookups that join `alerts` to find an alert's open or recently resolved incident.
import type { Knex } from 'knex';
import type { Severity } from '../config.js';
import type { PageSummary } from '../investigation/ports.js';
import type { Alert } from '../intake/alert.js';
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

/**
 * The open incident the alerts belong to, in one statement: the one holding one of them (same source and
 * fingerprint), else the group's open incident (PagerDuty incident or Alertmanager group).
 */
export async function findOpenIncidentOf(
  trx: Knex.Transaction,
  alerts: Alert[],
  groupKey: string,
): Promise<Incident | undefined> {
  const byFingerprint = trx('incidents as i')
    .join('alerts as a', 'a.incident_id', 'i.id')
    .whereIn(
      'a.fingerprint',
      alerts.map((a) => a.fingerprint),
    )
    .where('a.source', alerts[0]!.source)
    .whereNot('i.status', 'resolved')
    .orderBy('i.id', 'asc')
    .limit(1)
    .select('i.*', trx.raw('0 as pick'));
  const byGroup = trx('incidents as i')
    .where('i.group_key', groupKey)
    .whereNot('i.status', 'resolved')
    .limit(1)
    .select('i.*', trx.raw('1 as pick'));
  const rows = (await trx
    .select('*')
    .from(trx.unionAll([byFingerprint, byGroup], true).as('found'))
    .orderBy('pick', 'asc')
    .limit(1)) as Row[];
  return rows[0] ? toIncident(rows[0]) : undefined;
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
