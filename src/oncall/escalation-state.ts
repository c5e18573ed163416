// What the timeline says about an incident's escalation: whether its run stopped, which step ran last, how often every alert resolved.
import type { Knex } from 'knex';
import type { Severity } from '../config.js';
import { toIncident, type Incident, type IncidentStatus } from '../incidents/repository.js';
import {
  countEvents,
  ESCALATION_RUN_STARTS,
  hasEscalationStepSince,
  lastEventOfType,
  runStoppedSql,
} from '../incidents/timeline-repository.js';
import { toRecordedOverride, type RecordedOverride } from './overrides.js';

/**
 * The incident, which run of its escalation chain it is in (escalationRunCount) and the recorded overrides of the
 * schedules its frozen policy's first step names (every such schedule a key, [] when none), in one statement.
 */
export async function incidentAndRunCount(
  db: Knex | Knex.Transaction,
  incidentId: number,
): Promise<{ incident: Incident; runs: number; overrides: Map<string, RecordedOverride[]> } | undefined> {
  const types = ESCALATION_RUN_STARTS.map(() => '?').join(', ');
  const row = (await db('incidents as i')
    .where('i.id', incidentId)
    .first(
      'i.*',
      db.raw(
        `(select count(*)::int from incident_events e where e.incident_id = i.id and e.type in (${types})) as run_count__`,
        ESCALATION_RUN_STARTS,
      ),
      db.raw(
        `(select coalesce(json_object_agg(s.name, (select coalesce(json_agg(o order by o.id), '[]'::json)
                                                     from schedule_overrides o where o.schedule = s.name)), '{}'::json)
            from (select distinct t ->> 'id' as name
                    from jsonb_array_elements(case when jsonb_typeof(i.escalation_snapshot -> 'steps' -> 0 -> 'targets') = 'array'
                                                   then i.escalation_snapshot -> 'steps' -> 0 -> 'targets'
                                                   else '[]'::jsonb end) t
                   where jsonb_typeof(t) = 'object' and t ->> 'type' = 'schedule' and t ->> 'id' is not null) s
         ) as first_step_overrides__`,
      ),
    )) as Record<string, unknown> | undefined;
  if (!row) return undefined;
  const raw = (row.first_step_overrides__ ?? {}) as Record<string, Array<Record<string, unknown>>>;
  const overrides = new Map(Object.entries(raw).map(([name, rows]) => [name, rows.map(toRecordedOverride)]));
  return { incident: toIncident(row), runs: Number(row.run_count__ ?? 0), overrides };
}

/**
 * The run's state under the incident's lock (lockRunState, and the escalation's start, src/oncall/escalation-start.ts):
 * a select of status, severity, runs and stopped with named bindings `:id`, `:stopKey` and `:runStarts`
 * (runStateBindings). FOR UPDATE inside a subquery or CTE still locks the row.
 */
export const RUN_STATE_SELECT = `select i.status, i.severity, c.runs,
            exists (select 1 from incident_events e
                     -- cycleKey(stopKey, runs), as runStopped read it
                     where e.dedupe_key = case when c.runs = 0 then :stopKey
                                               else :stopKey || ':r' || c.runs end) as stopped
       from incidents i,
            lateral (select count(*)::int as runs from incident_events
                      where incident_id = i.id and type = any(:runStarts)) c
      where i.id = :id
        for update of i`;

/** Each incident's status and whether its escalation run was stopped (runStoppedSql), in one statement. */
export async function pagingStates(
  db: Knex | Knex.Transaction,
  incidentIds: number[],
): Promise<Map<number, { status: string; stopped: boolean }>> {
  const res = await db.raw<{ rows: Array<{ id: number; status: string; stopped: boolean }> }>(
    `select i.id, i.status, ${runStoppedSql('i')} as stopped from incidents i where i.id = any(:ids)`,
    { ids: incidentIds, runStarts: ESCALATION_RUN_STARTS },
  );
  return new Map(res.rows.map((r) => [Number(r.id), { status: r.status, stopped: r.stopped === true }]));
}

export function runStateBindings(incidentId: number): { id: number; stopKey: string; runStarts: string[] } {
  return { id: incidentId, stopKey: `escalation-stopped:${incidentId}`, runStarts: ESCALATION_RUN_STARTS };
}

/**
 * Locks the incident's row (FOR UPDATE) and reads, in the same statement, its status and severity, which run of the
 * chain it is in (escalationRunCount) and whether that run was stopped (acknowledged, or every alert resolved while
 * the incident stays open). Undefined when the incident does not exist.
 */
export async function lockRunState(
  trx: Knex.Transaction,
  incidentId: number,
  /** A job's self-completion (selfCompletion) to run in the same statement: `completed` says whether it held. */
  complete?: { sql: string; bindings: Record<string, Date | string> },
): Promise<
  { status: IncidentStatus; severity: Severity; runs: number; stopped: boolean; completed?: boolean } | undefined
> {
  const result = (await trx.raw(
    `${complete ? `with j as (${complete.sql}) ` : ''}select r.*${
      complete ? ', (select count(*)::int from j) as completed' : ''
    } from (${RUN_STATE_SELECT}) r`,
    { ...runStateBindings(incidentId), ...complete?.bindings },
  )) as {
    rows: Array<{ status: IncidentStatus; severity: Severity; runs: number; stopped: boolean; completed?: number }>;
  };
  const row = result.rows[0];
  if (!row) return undefined;
  const state = { status: row.status, severity: row.severity, runs: Number(row.runs), stopped: row.stopped };
  return complete ? { ...state, completed: Number(row.completed) > 0 } : state;
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

/** What the escalation watchdog reads of one triggered, paging incident (pagingEscalations). */
export interface PagingEscalation {
  id: number;
  openedAt: Date;
  team: string | null;
  /** incidents.escalation_snapshot as stored. */
  snapshot: unknown;
  /** Which run of the chain it is in (escalationRunCount). */
  runs: number;
  /** Whether that run started (its `escalation-start` entry exists). */
  started: boolean;
  /** The last step that ran (lastStep), with the delay it armed (`nextInMs`). */
  last: { round: number; step: number; at: Date; nextInMs: number | null } | undefined;
  /** Whether the chain ran out after that step (an `escalation.exhausted` entry after it): nothing more is due. */
  exhausted: boolean;
}

/**
 * Every triggered incident that pages (not SEV3) with where its chain stands, in ONE statement (the watchdog runs
 * every minute over every open incident: five statements an incident were most of its cost during a burst).
 */
export async function pagingEscalations(db: Knex | Knex.Transaction): Promise<PagingEscalation[]> {
  const result = (await db.raw(
    `select i.id, i.opened_at, i.team, i.escalation_snapshot, c.runs,
            exists (select 1 from incident_events e
                     -- cycleKey('escalation-start:<id>', runs)
                     where e.dedupe_key = case when c.runs = 0 then 'escalation-start:' || i.id
                                               else 'escalation-start:' || i.id || ':r' || c.runs end) as started,
            l.data as last_data, l.at as last_at,
            exists (select 1 from incident_events x
                     where x.incident_id = i.id and x.type = 'escalation.exhausted' and x.id > l.id) as exhausted
       from incidents i
            cross join lateral (select count(*)::int as runs from incident_events
                                 where incident_id = i.id and type = any(:types)) c
            left join lateral (select e.id, e.data, e.at from incident_events e
                                where e.incident_id = i.id and e.type = 'escalation.step'
                                order by e.id desc limit 1) l on true
      where i.status = 'triggered' and i.severity <> 'sev3'`,
    { types: ESCALATION_RUN_STARTS },
  )) as { rows: Record<string, unknown>[] };
  return result.rows.map((r) => {
    const data = (typeof r.last_data === 'string' ? JSON.parse(r.last_data) : r.last_data) as {
      round: number;
      step: number;
      nextInMs?: number | null;
    } | null;
    return {
      id: Number(r.id),
      openedAt: new Date(r.opened_at as Date),
      team: (r.team as string | null) ?? null,
      snapshot: r.escalation_snapshot,
      runs: Number(r.runs),
      started: r.started === true,
      last: data
        ? { round: data.round, step: data.step, at: new Date(r.last_at as Date), nextInMs: data.nextInMs ?? null }
        : undefined,
      exhausted: r.exhausted === true,
    };
  });
}
