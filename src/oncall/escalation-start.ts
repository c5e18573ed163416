// The start of a run of an incident's escalation chain written in ONE statement: the run's state read under the
// incident's lock, its timeline entries, the jobs they call for and (run by start-escalation) the job's completion.
import type { Knex } from 'knex';
import type { TimelineEventInput } from '../incidents/timeline-repository.js';
import { plannedJobRow, type PlannedJob } from '../jobs/job-queue.js';
import { RUN_STATE_SELECT, runStateBindings } from './escalation-state.js';

/** A timeline entry of the start; `ifPaging`: written only when the run may page now (the step's entry, its lock). */
export interface StartEntry {
  event: TimelineEventInput & { dedupeKey: string };
  ifPaging: boolean;
}

/** A job row of the start (as `queue.plan` makes it, with its id), inserted only when the entry `after` is written. */
export interface StartJob extends PlannedJob {
  id: string;
  /** The dedupe key of the entry this job follows: only the statement that writes that entry inserts the job. */
  after: string;
  /** Left out when the run may page now (step 1 then runs in this statement, not in a job of its own). */
  unlessPaging: boolean;
}

export interface StartWritten {
  /** Whether the incident exists (when not, nothing was written; a completion given still ran). */
  found: boolean;
  /** Whether the run may page now: the incident triggered, not SEV3, its run not stopped and still run `runs`. */
  paging: boolean;
  /** The dedupe keys of the entries this statement wrote (an entry already there is not written again). */
  written: Set<string>;
  /** The ids of the jobs this statement inserted (an id already there is not inserted again). */
  enqueued: Set<string>;
  /** With `complete`: whether the job's completion held (its lock was still ours). */
  completed?: boolean;
}

/**
 * One statement, so atomic (no BEGIN/COMMIT): locks the incident's row (FOR UPDATE) and reads its run's state as a
 * step's run does (an acknowledgement that commits first stops the step), writes the entries whose dedupe keys are
 * not taken (a retry or a second replica writes none: each entry is the lock of what follows it), inserts the jobs of
 * the entries it wrote, and marks the running job completed when `complete` is given (selfCompletion).
 */
export async function writeRunStart(
  db: Knex | Knex.Transaction,
  start: {
    incidentId: number;
    /** The run of the chain the caller planned for (escalationRunCount when it read the incident). */
    runs: number;
    entries: StartEntry[];
    jobs: StartJob[];
  },
  complete?: { sql: string; bindings: Record<string, Date | string> },
): Promise<StartWritten> {
  const now = new Date();
  const entries = start.entries.map((e, ord) => ({
    ord,
    incident_id: e.event.incidentId,
    type: e.event.type,
    actor: e.event.actor,
    data: e.event.data ?? {},
    at: e.event.at.toISOString(),
    dedupe_key: e.event.dedupeKey,
    if_paging: e.ifPaging,
  }));
  const jobs = start.jobs.map((j) => ({
    ...plannedJobRow(j),
    after: j.after,
    unless_paging: j.unlessPaging,
  }));
  const res = (await db.raw(
    `with r as (${RUN_STATE_SELECT}),
     ok as (select 1 from r where r.status = 'triggered' and r.severity <> 'sev3' and not r.stopped and r.runs = :runs),
     ev as (
       insert into incident_events (incident_id, type, actor, data, at, dedupe_key)
       select t.incident_id, t.type, t.actor, t.data, t.at, t.dedupe_key
         from jsonb_to_recordset(cast(:entries as jsonb))
           as t(ord int, incident_id int, type text, actor text, data jsonb, at timestamptz, dedupe_key text,
                if_paging boolean)
        where exists (select 1 from r) and (not t.if_paging or exists (select 1 from ok))
        order by t.ord
       on conflict (dedupe_key) do nothing
       returning dedupe_key
     ),
     jb as (
       insert into jobs (id, name, payload, status, run_at, max_attempts, backoff_ms, created_at, updated_at)
       select t.id, t.name, t.payload, 'pending', t.run_at, t.max_attempts, t.backoff_ms, :now, :now
         from jsonb_to_recordset(cast(:jobs as jsonb))
           as t(id text, name text, payload jsonb, run_at timestamptz, max_attempts int, backoff_ms int, after text,
                unless_paging boolean)
        where t.after in (select dedupe_key from ev) and not (t.unless_paging and exists (select 1 from ok))
       on conflict (id) do nothing
       returning id
     )${complete ? `, j as (${complete.sql})` : ''}
     select exists (select 1 from r) as found, exists (select 1 from ok) as paging,
            coalesce((select json_agg(dedupe_key) from ev), '[]') as written,
            coalesce((select json_agg(id) from jb), '[]') as enqueued${
              complete ? ', (select count(*)::int from j) as completed' : ''
            }`,
    {
      ...runStateBindings(start.incidentId),
      runs: start.runs,
      entries: JSON.stringify(entries),
      jobs: JSON.stringify(jobs),
      now,
      ...complete?.bindings,
    },
  )) as {
    rows: Array<{ found: boolean; paging: boolean; written: string[]; enqueued: string[]; completed?: number }>;
  };
  const row = res.rows[0]!;
  return {
    found: row.found,
    paging: row.paging,
    written: new Set(row.written),
    enqueued: new Set(row.enqueued),
    ...(complete ? { completed: Number(row.completed) > 0 } : {}),
  };
}
