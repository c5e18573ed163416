// What the timeline says about an incident's escalation: whether its run stopped, which step ran last, how often every alert resolved.
import type { Knex } from 'knex';
import { cycleKey, escalationRunCount } from '../incidents/repository.js';

/** Whether the chain's current run was stopped (acknowledged, or every alert resolved) while the incident stays open. */
export async function runStopped(db: Knex | Knex.Transaction, incidentId: number): Promise<boolean> {
  const runs = await escalationRunCount(db, incidentId);
  return (await db('incident_events').where({ dedupe_key: cycleKey(`escalation-stopped:${incidentId}`, runs) }).first('id')) !== undefined;
}

/** Whether a step of the chain's current run (rounds from `base`) has run. */
export async function stepOfRun(db: Knex | Knex.Transaction, incidentId: number, base: number): Promise<boolean> {
  const row = await db('incident_events').where({ incident_id: incidentId, type: 'escalation.step' }).whereRaw(`(data->>'round')::int >= ?`, [base]).first('id');
  return row !== undefined;
}

/** Where the chain stands: the last step that ran, if any. */
export async function lastStep(db: Knex | Knex.Transaction, incidentId: number): Promise<{ round: number; step: number; at: Date } | undefined> {
  const row = await db('incident_events').where({ incident_id: incidentId, type: 'escalation.step' }).orderBy('id', 'desc').first('data', 'at');
  if (!row) return undefined;
  const data = row.data as { round: number; step: number };
  return { round: data.round, step: data.step, at: row.at as Date };
}

/** How many times every alert of the incident resolved: each time is its own note and its own quiet-period timer. */
export async function alertsResolvedCount(db: Knex | Knex.Transaction, incidentId: number): Promise<number> {
  const row = await db('incident_events').where({ incident_id: incidentId, type: 'alerts.all_resolved' }).count<{ count: number }[]>('* as count').first();
  return Number(row?.count ?? 0);
}
