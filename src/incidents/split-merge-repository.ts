// What `/incident split` and `/incident merge` change in the incidents capability's tables (`alerts`,
// `incident_events`): alerts and the timeline entries about them move from one incident to another.
import type { Knex } from 'knex';

/**
 * Timeline entries that move with their alerts: what the alerts said (received, resolved, a new lead, a join).
 * The incident's own state entries (opened, acknowledged, escalation steps...) stay: they tell its own story.
 */
const ALERT_ENTRY_TYPES = ['alert.received', 'alert.resolved', 'alert.new_lead', 'alert.correlated'];

/** The incident's alerts of `service` (every alert when `service` is null), oldest first. */
export async function alertsOfService(
  trx: Knex.Transaction,
  incidentId: number,
  service: string | null,
): Promise<{ id: number; alertname: string | null; groupKey: string | null }[]> {
  const rows = (await trx('alerts')
    .where({ incident_id: incidentId })
    .modify((q) => {
      if (service !== null) q.where({ service });
    })
    .orderBy('id')
    .select('id', 'alertname', 'group_key')) as { id: number; alertname: string | null; group_key: string | null }[];
  return rows.map((r) => ({ id: r.id, alertname: r.alertname, groupKey: r.group_key }));
}

/**
 * The group key of an incident split out of another: the alerts' own group when no open incident holds it (later
 * alerts of that group then join the split incident), else a key of its own.
 */
export async function splitGroupKey(
  trx: Knex.Transaction,
  alerts: { groupKey: string | null }[],
  parentGroupKey: string | null,
): Promise<string> {
  const own = alerts.map((a) => a.groupKey).find((g): g is string => !!g && g !== parentGroupKey);
  if (own) {
    const held = await trx('incidents').where({ group_key: own }).whereNot('status', 'resolved').first('id');
    if (!held) return own;
  }
  return `split:${parentGroupKey ?? 'none'}:${alerts.map((a) => a.groupKey ?? '').join('|')}`.slice(0, 500);
}

/** Moves the incident's alerts (of one service, or all) to another incident; returns how many moved. */
export async function moveAlerts(trx: Knex.Transaction, from: number, to: number, service?: string): Promise<number> {
  return trx('alerts')
    .where({ incident_id: from })
    .modify((q) => {
      if (service !== undefined) q.where({ service });
    })
    .update({ incident_id: to });
}

/**
 * Moves the alert entries of the timeline (about one service, or all) to another incident; returns how many moved.
 * A split (one service) leaves that service's `alert.correlated` entries where the join happened: they are that
 * incident's history, its storm summary leaves out joins of services no longer in it (STORM_COLUMNS), and the
 * incident split out is not a storm of its own.
 */
export async function moveTimeline(trx: Knex.Transaction, from: number, to: number, service?: string): Promise<number> {
  return trx('incident_events')
    .where({ incident_id: from })
    .whereIn(
      'type',
      service === undefined ? ALERT_ENTRY_TYPES : ALERT_ENTRY_TYPES.filter((t) => t !== 'alert.correlated'),
    )
    .modify((q) => {
      if (service !== undefined) q.whereRaw(`data->>'service' = ?`, [service]);
    })
    .update({ incident_id: to });
}
