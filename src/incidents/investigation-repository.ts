// Storing an investigation's result: the incident's row, its `investigation.completed` timeline entry, the jobs that
// follow it and the run's spans, in one statement.
import type { Knex } from 'knex';
import type { InvestigationResult, InvestigationStep } from '../investigation/ports.js';
import { plannedJobRow, type PlannedJob } from '../jobs/job-queue.js';
import { toCalibrationFit, type CalibrationFit } from '../measure/repository.js';
import { toIncident, type Incident } from './repository.js';
import { selfCompletion } from '../jobs/job-scope.js';
import { incidentSpansQuery, storedSpansOf, type SpanRow, type StoredSpan } from '../investigation/spans-repository.js';
import { CHANGE_EVENTS_COLUMN, changeEventsOfColumn } from '../intake/change-events-source.js';

/** What a finished investigation writes. */
export interface InvestigationRecord {
  incidentId: number;
  result: InvestigationResult;
  at: Date;
  /** The data of its `investigation.completed` timeline entry. */
  event: Record<string, unknown>;
  /** The jobs that follow it (planned rows with their ids): recorded only when the incident is. */
  jobs: Array<PlannedJob & { id: string }>;
  /** The run's spans, appended to the incident's trace (made on first use) when the incident is recorded. */
  spans: { investigationId: string; steps: readonly InvestigationStep[] };
}

/** A statement that stored nothing because a concurrent one made the incident's trace after its snapshot is run again. */
const TRACE_ATTEMPTS = 3;

/**
 * Stores the result on the incident, appends its `investigation.completed` entry, records the jobs (an id that exists
 * is left as it is) and appends the run's spans to the incident's trace, in ONE statement: all of it or nothing, with
 * no transaction around it. Returns the incident as it now is, the entry's id and the spans stored, or undefined when
 * the incident is gone (nothing written).
 */
export async function recordInvestigation(
  db: Knex | Knex.Transaction,
  r: InvestigationRecord,
  /** Run by the job named so: the same statement marks that job completed (when the incident was there to write). */
  completeJob?: string,
): Promise<{ incident: Incident; eventId: number; spans: StoredSpan[] } | undefined> {
  for (let attempt = 1; ; attempt++) {
    const recorded = await recordOnce(db, r, completeJob);
    if (recorded !== 'untraced') return recorded;
    // A concurrent statement made the incident's trace after this one's snapshot: nothing was written; the next
    // statement's snapshot sees that trace.
    if (attempt >= TRACE_ATTEMPTS) throw new Error(`could not find or make the trace of incident ${r.incidentId}`);
  }
}

async function recordOnce(
  db: Knex | Knex.Transaction,
  r: InvestigationRecord,
  completeJob: string | undefined,
): Promise<{ incident: Incident; eventId: number; spans: StoredSpan[] } | undefined | 'untraced'> {
  const self = completeJob ? selfCompletion(completeJob, 'exists (select 1 from u)') : undefined;
  const now = new Date();
  const jobs = r.jobs.map(plannedJobRow);
  // The trace and the spans only for an incident that is there; the result only with its trace (else nothing at all).
  const spanSql = incidentSpansQuery(r.incidentId, r.spans.investigationId, r.spans.steps, {
    onlyIf: 'exists (select 1 from incidents where id = :id)',
  });
  const res = await db.raw<{ rows: Array<Record<string, unknown>> }>(
    `with ${spanSql.ctes},
     u as (
       update incidents set investigation = cast(:result as jsonb), updated_at = :at
       where id = :id and exists (select 1 from trace) returning *
     ),
     e as (
       insert into incident_events (incident_id, type, actor, data, at)
       select u.id, 'investigation.completed', 'copilot', cast(:event as jsonb), :at from u
       returning id
     ),
     j as (
       insert into jobs (id, name, payload, status, run_at, max_attempts, backoff_ms, created_at, updated_at)
       select t.id, t.name, t.payload, 'pending', t.run_at, t.max_attempts, t.backoff_ms, :now, :now
       from jsonb_to_recordset(cast(:jobs as jsonb))
         as t(id text, name text, payload jsonb, run_at timestamptz, max_attempts int, backoff_ms int)
       where exists (select 1 from u)
       on conflict (id) do nothing
     )${self ? `, c as (${self.sql})` : ''}
     select u.*, (select e.id from e) as completed_event_id, exists (select 1 from trace) as traced__,
       exists (select 1 from incidents where id = :id) as found__,
       (select coalesce(json_agg(s), '[]'::json)
          from (select *, 0 as pick from root union all select *, 1 as pick from spans) s) as spans__
       ${self ? ', (select count(*)::int from c) as self_held__' : ''}
     from (select 1) one left join u on true`,
    {
      result: JSON.stringify(r.result),
      at: r.at,
      id: r.incidentId,
      event: JSON.stringify(r.event),
      now,
      jobs: JSON.stringify(jobs),
      ...spanSql.bindings,
      ...self?.bindings,
    },
  );
  const row = res.rows[0];
  if (!row || row.id == null) return row?.found__ === true && row.traced__ === false ? 'untraced' : undefined;
  if (self) self.done(Number(row.self_held__) > 0);
  // toIncident reads the incident's columns only.
  const spans = storedSpansOf((row.spans__ ?? []) as Array<SpanRow & { pick: number }>) ?? [];
  return { incident: toIncident(row), eventId: Number(row.completed_event_id), spans };
}

/**
 * What an investigation starts from, in one statement: the incident, how often it reopened (its refresh's cycle),
 * the newest calibration fit and, given `changes`, the deploy and change events of that range (what the
 * change-events source would read for it). Undefined when the incident does not exist.
 */
export async function loadForInvestigation(
  db: Knex,
  incidentId: number,
  changes?: { start: number; end: number },
): Promise<
  | {
      incident: Incident;
      reopens: number;
      fit: CalibrationFit | undefined;
      changeEvents?: Array<{ type: string; data: unknown }>;
    }
  | undefined
> {
  const row = (await db('incidents as i')
    .where('i.id', incidentId)
    .first(
      'i.*',
      db.raw(
        `(select count(*)::int from incident_events e where e.incident_id = i.id and e.type = 'incident.reopened')` +
          ` as reopens__`,
      ),
      db.raw(`(select row_to_json(f) from calibration_fits f order by f.id desc limit 1) as calibration_fit__`),
      ...(changes
        ? [
            db.raw(`${CHANGE_EVENTS_COLUMN} as change_events__`, {
              changesStart: new Date(changes.start),
              changesEnd: new Date(changes.end),
            }),
          ]
        : []),
    )) as Record<string, unknown> | undefined;
  if (!row) return undefined;
  return {
    incident: toIncident(row),
    reopens: Number(row.reopens__ ?? 0),
    fit: toCalibrationFit(row.calibration_fit__ as Record<string, unknown> | null),
    ...(changes ? { changeEvents: changeEventsOfColumn(row.change_events__) } : {}),
  };
}
