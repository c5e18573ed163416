// Storing an investigation's result: the incident's row, its `investigation.completed` timeline entry and the jobs that
// follow it, in one statement.
import type { Knex } from 'knex';
import type { InvestigationResult } from '../investigation/ports.js';
import type { PlannedJob } from '../jobs/job-queue.js';
import { toCalibrationFit, type CalibrationFit } from '../measure/repository.js';
import { toIncident, type Incident } from './repository.js';
import { selfCompletion } from '../jobs/job-scope.js';

/** What a finished investigation writes. */
export interface InvestigationRecord {
  incidentId: number;
  result: InvestigationResult;
  at: Date;
  /** The data of its `investigation.completed` timeline entry. */
  event: Record<string, unknown>;
  /** The jobs that follow it (planned rows with their ids): recorded only when the incident is. */
  jobs: Array<PlannedJob & { id: string }>;
}

/**
 * Stores the result on the incident, appends its `investigation.completed` entry and records the jobs (an id that
 * exists is left as it is), in ONE statement: all of it or nothing, with no transaction around it. Returns the
 * incident as it now is and the entry's id, or undefined when the incident is gone (nothing written).
 */
export async function recordInvestigation(
  db: Knex | Knex.Transaction,
  r: InvestigationRecord,
  /** Run by the job named so: the same statement marks that job completed (when the incident was there to write). */
  completeJob?: string,
): Promise<{ incident: Incident; eventId: number } | undefined> {
  const self = completeJob ? selfCompletion(completeJob, 'exists (select 1 from u)') : undefined;
  const now = new Date();
  const jobs = r.jobs.map((j) => ({
    id: j.id,
    name: j.name,
    payload: j.payload ?? null,
    run_at: j.runAt.toISOString(),
    max_attempts: j.maxAttempts,
    backoff_ms: j.backoffMs,
  }));
  const res = await db.raw<{ rows: Array<Record<string, unknown>> }>(
    `with u as (
       update incidents set investigation = cast(:result as jsonb), updated_at = :at where id = :id returning *
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
     select u.*, (select e.id from e) as completed_event_id${self ? ', (select count(*)::int from c) as self_held__' : ''}
     from u`,
    {
      result: JSON.stringify(r.result),
      at: r.at,
      id: r.incidentId,
      event: JSON.stringify(r.event),
      now,
      jobs: JSON.stringify(jobs),
      ...self?.bindings,
    },
  );
  const row = res.rows[0];
  if (!row) return undefined;
  const { completed_event_id: eventId, self_held__: held, ...incident } = row;
  if (self) self.done(Number(held) > 0);
  return { incident: toIncident(incident), eventId: Number(eventId) };
}

/**
 * What an investigation starts from, in one statement: the incident, how often it reopened (its refresh's cycle) and
 * the newest calibration fit. Undefined when the incident does not exist.
 */
export async function loadForInvestigation(
  db: Knex,
  incidentId: number,
): Promise<{ incident: Incident; reopens: number; fit: CalibrationFit | undefined } | undefined> {
  const row = (await db('incidents as i')
    .where('i.id', incidentId)
    .first(
      'i.*',
      db.raw(
        `(select count(*)::int from incident_events e where e.incident_id = i.id and e.type = 'incident.reopened')` +
          ` as reopens__`,
      ),
      db.raw(`(select row_to_json(f) from calibration_fits f order by f.id desc limit 1) as calibration_fit__`),
    )) as Record<string, unknown> | undefined;
  if (!row) return undefined;
  return {
    incident: toIncident(row),
    reopens: Number(row.reopens__ ?? 0),
    fit: toCalibrationFit(row.calibration_fit__ as Record<string, unknown> | null),
  };
}
