// Queries of the `alerts` table (owned by the incidents capability, with repository.ts and opening-repository.ts for
// `incidents` and timeline-repository.ts for `incident_events`): recording alerts, and what other capabilities read of them.
import type { Knex } from 'knex';
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
 * Where the alerts an incident already holds point, before a batch joins it: their distinct (service, alertname). An
 * alert it already holds (same fingerprint, so same labels) always points somewhere listed here.
 */
export async function knownLeads(
  trx: Knex.Transaction,
  incidentId: number,
): Promise<{ service: string | null; alertname: string | null }[]> {
  return trx('alerts').where({ incident_id: incidentId }).distinct('service', 'alertname');
}

/** Records alerts: one row per (source, fingerprint, startsAt), the latest status winning. */
export async function upsertAlerts(
  trx: Knex.Transaction,
  alerts: Alert[],
  incidentId: number | null,
  now: Date,
): Promise<void> {
  // One row per (source, fingerprint, startsAt); the latest status wins, an alert never moves between incidents.
  const unique = new Map<string, Alert>();
  for (const a of alerts) unique.set(`${a.fingerprint}|${a.startsAt.toISOString()}`, a);
  const rows = [...unique.values()].map((a) => ({
    incident_id: incidentId,
    source: a.source,
    fingerprint: a.fingerprint,
    status: a.status,
    alertname: a.alertname,
    service: a.service ?? null,
    severity: a.severity ?? null,
    labels: JSON.stringify(a.labels),
    annotations: JSON.stringify(a.annotations),
    starts_at: a.startsAt,
    ends_at: a.endsAt,
    group_key: a.groupKey,
    external_id: a.externalId ?? null,
    generator_url: a.generatorUrl ?? null,
    received_at: now,
    updated_at: now,
  }));
  for (let i = 0; i < rows.length; i += 500) {
    await trx('alerts')
      .insert(rows.slice(i, i + 500))
      .onConflict(['source', 'fingerprint', 'starts_at'])
      .merge({
        status: trx.raw('excluded.status'),
        ends_at: trx.raw('excluded.ends_at'),
        annotations: trx.raw('excluded.annotations'),
        updated_at: trx.raw('excluded.updated_at'),
        incident_id: trx.raw('coalesce(alerts.incident_id, excluded.incident_id)'),
      });
  }
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
