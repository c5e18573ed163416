// Schedule overrides recorded by /oncall swap (table schedule_overrides), read back by every on-call answer.
import type { Knex } from 'knex';
import type { ScheduleOverride } from './schedules.js';

export interface RecordedOverride extends ScheduleOverride {
  id: number;
  schedule: string;
  createdBy: string;
  replaces: string | null;
}

/** Overrides of a schedule that have not ended by `since`, oldest first (later ones win where they overlap). */
export async function listOverrides(
  db: Knex | Knex.Transaction,
  schedule: string,
  since?: Date,
): Promise<RecordedOverride[]> {
  const q = db('schedule_overrides').where({ schedule }).orderBy('id', 'asc');
  if (since) q.where('ends_at', '>', since);
  const rows = await q;
  return rows.map(toRecordedOverride);
}

/** A row of schedule_overrides, as read or as `row_to_json` gives it (times as ISO strings). */
export function toRecordedOverride(r: Record<string, unknown>): RecordedOverride {
  return {
    id: r.id as number,
    schedule: r.schedule as string,
    user: r.user as string,
    start: new Date(r.starts_at as Date | string),
    end: new Date(r.ends_at as Date | string),
    createdBy: r.created_by as string,
    replaces: (r.replaces as string | null) ?? null,
  };
}

export async function insertOverride(
  db: Knex | Knex.Transaction,
  o: { schedule: string; user: string; start: Date; end: Date; createdBy: string; replaces?: string },
): Promise<number> {
  const [row] = await db('schedule_overrides')
    .insert({
      schedule: o.schedule,
      user: o.user,
      starts_at: o.start,
      ends_at: o.end,
      created_by: o.createdBy,
      replaces: o.replaces ?? null,
    })
    .returning('id');
  return (row as { id: number }).id;
}
