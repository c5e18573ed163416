// What the timeline says about an incident's escalation: whether its run stopped, which step ran last, how often every alert resolved.
import type { Knex } from 'knex';
import {
  countEvents,
  cycleKey,
  escalationRunCount,
  findEventByKey,
  hasEscalationStepSince,
  lastEventOfType,
} from '../incidents/timeline-repository.js';

/** Whether the chain's current run was stopped (acknowledged, or every alert resolved) while the incident stays open. */
export async function runStopped(db: Knex | Knex.Transaction, incidentId: number): Promise<boolean> {
  const runs = await escalationRunCount(db, incidentId);
  return (await findEventByKey(db, cycleKey(`escalation-stopped:${incidentId}`, runs))) !== undefined;
}

/** Whether a step of the chain's current run (rounds from `base`) has run. */
export async function stepOfRun(db: Knex | Knex.Transaction, incidentId: number, base: number): Promise<boolean> {
  return hasEscalationStepSince(db, incidentId, base);
}

/** Where the chain stands: the last step that ran, if any. */
export async function lastStep(
  db: Knex | Knex.Transaction,
  incidentId: number,
): Promise<{ round: number; step: number; at: Date } | undefined> {
  const row = await lastEventOfType(db, incidentId, 'escalation.step');
  if (!row) return undefined;
  const data = row.data as { round: number; step: number };
  return { round: data.round, step: data.step, at: row.at };
}

/** How many times every alert of the incident resolved: each time is its own note and its own quiet-period timer. */
export async function alertsResolvedCount(db: Knex | Knex.Transaction, incidentId: number): Promise<number> {
  return countEvents(db, incidentId, 'alerts.all_resolved');
}
