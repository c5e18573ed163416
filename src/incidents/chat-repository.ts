// The incident's chat record (its channel, briefing message and state, invited responders), as a presenter writes it.
import { selfCompletion } from '../jobs/job-scope.js';
import type { Knex } from 'knex';
import { toIncident, type ChatStep, type Incident } from './repository.js';
import { digestItemCtes, toItem, type DigestItem, type DigestMessageRef } from './digest-repository.js';

export type { DigestMessageRef };
import { briefingFactsColumn, briefingFactsOfColumn, type BriefingFacts } from './briefing-repository.js';

type Db = Knex | Knex.Transaction;

/** A timeline entry written with an update of the incident row, in the same statement. */
interface RowEvent {
  type: string;
  data: Record<string, unknown>;
  dedupeKey: string;
  /** The entry's time, from the injected clock. */
  at: Date;
}

/**
 * Runs an update of one incident row (`returning *`) and, only when it matched, appends a timeline entry, in ONE
 * statement; the row as updated, or undefined when the update matched nothing.
 */
async function updateWithEvent(
  db: Db,
  update: Knex.QueryBuilder,
  event: RowEvent,
  /** A column read in the same statement (`read__`), from the snapshot the update started from. */
  read?: Knex.Raw,
): Promise<Record<string, unknown> | undefined> {
  const res = await db.raw<{ rows: Record<string, unknown>[] }>(
    `with u as (?), e as (
       insert into incident_events (incident_id, type, actor, data, at, dedupe_key)
       select u.id, ?, 'copilot', ?::jsonb, ?, ? from u
       on conflict (dedupe_key) do nothing)
     select *${read ? ', ? as read__' : ''} from u`,
    [update, event.type, JSON.stringify(event.data), event.at, event.dedupeKey, ...(read ? [read] : [])],
  );
  return res.rows[0];
}

/**
 * Records the incident's channel unless one is recorded already, and its `channel.created` timeline entry, in one
 * statement, which also reads the facts its first briefing (posted next) shows; those facts when this call recorded
 * the channel, else undefined.
 */
export async function recordChannelCreated(
  db: Db,
  incidentId: number,
  channel: { id: string; name: string },
  now: Date,
): Promise<BriefingFacts | undefined> {
  const update = db('incidents')
    .where({ id: incidentId })
    .whereNull('channel_id')
    .update({ channel_id: channel.id, channel_name: channel.name, updated_at: now })
    .returning('id');
  const row = await updateWithEvent(
    db,
    update,
    {
      type: 'channel.created',
      data: { channel: channel.id, name: channel.name },
      dedupeKey: `channel:${incidentId}`,
      at: now,
    },
    briefingFactsColumn(db, incidentId),
  );
  return row ? briefingFactsOfColumn(row.read__) : undefined;
}

/**
 * Records the first briefing message and what it showed, unless a briefing is recorded already, with its
 * `briefing.posted` timeline entry, in one statement; the incident as it now is (an investigation finished meanwhile
 * included), or undefined when another briefing was recorded first.
 */
export async function recordBriefingPosted(
  db: Db,
  incidentId: number,
  at: { channel: string; ts: string },
  state: unknown,
  now: Date,
): Promise<Incident | undefined> {
  const update = db('incidents')
    .where({ id: incidentId })
    .whereNull('briefing_ts')
    .update({ briefing_ts: at.ts, briefing_state: JSON.stringify(state) })
    .returning('*');
  const row = await updateWithEvent(db, update, {
    type: 'briefing.posted',
    data: { channel: at.channel, ts: at.ts },
    dedupeKey: `briefing:${incidentId}`,
    at: now,
  });
  return row ? toIncident(row) : undefined;
}

/**
 * The Slack user ids invited to the incident's channel and their `responders.invited` timeline entry, in one
 * statement: the `invited` step of opening it in chat is done (with `alsoDone`, steps done just before it). The same
 * statement reads the DMs that list the incident's pages (their messages, as delivered so far), which the caller then
 * shows with the channel; an empty list when there are none or the row was not found.
 */
export async function recordRespondersInvited(
  db: Db,
  incidentId: number,
  userIds: string[],
  at: Date,
  alsoDone: ChatStep[] = [],
): Promise<DigestMessageRef[]> {
  const steps = Object.fromEntries([...alsoDone, 'invited'].map((s) => [s, at.toISOString()]));
  const update = db('incidents')
    .where({ id: incidentId })
    .update({
      responders: JSON.stringify(userIds),
      chat_progress: db.raw('chat_progress || ?::jsonb', [JSON.stringify(steps)]),
    })
    .returning('id');
  const row = await updateWithEvent(
    db,
    update,
    { type: 'responders.invited', data: { users: userIds }, dedupeKey: `invited:${incidentId}`, at },
    messagesOfIncidentColumn(db, 'page', incidentId),
  );
  const pages = row?.read__;
  return ((typeof pages === 'string' ? JSON.parse(pages) : pages) ?? []) as DigestMessageRef[];
}

/** The messages holding the incident's delivered items of `kind` as one json column (see messagesOfIncident). */
function messagesOfIncidentColumn(db: Db, kind: 'page' | 'pointer', incidentId: number): Knex.Raw {
  return db.raw(
    `(select coalesce(json_agg(m), '[]'::json) from (select distinct d.channel, d.ts, d.target from chat_digest_items d
       where d.kind = ? and d.incident_id = ? and d.ts is not null) m)`,
    [kind, incidentId],
  );
}

/** What the briefing shows now, compared with the next rendering to tell the thread what changed. */
export async function saveBriefingState(
  db: Db,
  incidentId: number,
  state: unknown,
  /** Run by the job named so as its last statement: the same statement marks that job completed. */
  job?: string,
): Promise<void> {
  const self = job ? selfCompletion(job) : undefined;
  if (!self) {
    await db('incidents')
      .where({ id: incidentId })
      .update({ briefing_state: JSON.stringify(state) });
    return;
  }
  const res = await db.raw<{ rows: Array<{ held: number }> }>(
    `with u as (update incidents set briefing_state = cast(:state as jsonb) where id = :id), j as (${self.sql})` +
      ` select count(*)::int as held from j`,
    { state: JSON.stringify(state), id: incidentId, ...self.bindings },
  );
  self.done(Number(res.rows[0]?.held) > 0);
}

/** Removes a once-only timeline entry (a claim given up, so that the next attempt may claim again). */
export async function deleteEventByKey(db: Db, dedupeKey: string): Promise<void> {
  await db('incident_events').where({ dedupe_key: dedupeKey }).delete();
}

/** Records that a step of opening the incident in chat is done (a retry of the job skips it). */
export async function recordChatStep(db: Db, incidentId: number, step: ChatStep, at: Date): Promise<void> {
  await db('incidents')
    .where({ id: incidentId })
    .update({ chat_progress: db.raw('chat_progress || ?::jsonb', [JSON.stringify({ [step]: at.toISOString() })]) });
}

// The incidents before one in the queue for a channel (bindings :qSeverity, :qIncident): open ones with no channel yet
// that are more severe, or as severe and opened earlier (SEV1 first, then in the order they came).
const AHEAD_IN_CHANNEL_QUEUE_SQL = `select count(*)::int as n from incidents
   where channel_id is null and not status = 'resolved'
     and (severity < :qSeverity or (severity = :qSeverity and id < :qIncident))`;

/**
 * How many incidents come before this one in the queue for a channel: open ones with no channel yet that are more
 * severe, or as severe and opened earlier (SEV1 first, then in the order they came).
 */
export async function channelQueuePosition(db: Db, incident: { id: number; severity: string }): Promise<number> {
  const res = await db.raw<{ rows: Array<{ n: number }> }>(AHEAD_IN_CHANNEL_QUEUE_SQL, {
    qSeverity: incident.severity,
    qIncident: incident.id,
  });
  return Number(res.rows[0]?.n ?? 0);
}

/**
 * An incident whose channel waits for Slack's budget takes its turn in the queue for channels, in ONE statement: its
 * place (channelQueuePosition), the job that comes back for the channel then (`retry`, due `minDelayMs` or `perAheadMs`
 * for each incident ahead after `now`, whichever is later) and the cancellation of the pending job it replaces
 * (`replaces`: the safety net queued with the incident). A retry of that id already pending or running stays as it
 * is; one that finished (completed or cancelled: an earlier opening of the incident) is queued again; one in the
 * dead-letter list is left there, and then the safety net is not cancelled (whether it is still pending is returned:
 * when not, nothing comes back for the channel until the dead job is retried). Returns the place, when the retry is due
 * if this statement queued it (for the queue's announce), whether a retry will come back, and the safety net cancelled
 * (for the queue's withdraw). A retry another opening inserted since this statement began counts as coming (only one
 * seen dead does not).
 */
export async function takeChannelTurn(
  db: Db,
  incident: { id: number; severity: string },
  retry: { id: string; name: string; payload: unknown; maxAttempts: number; backoffMs: number },
  timing: { now: Date; minDelayMs: number; perAheadMs: number },
  replaces: string,
  /**
   * The incident's line in its team's alerts channel (`target`), asked for in the same statement (digestItemCtes, as
   * requestDigestItem asks: once per incident); returned as `pointer` (undefined only when a concurrent request
   * inserted it after this statement's snapshot: requestDigestItem then reads it).
   */
  pointer?: { target: string; at: Date },
): Promise<{
  ahead: number;
  runAt: Date | undefined;
  retryComes: boolean;
  safetyNetPending: boolean;
  cancelled: { id: string; name: string; runAt: Date; attempts: number } | undefined;
  pointer: DigestItem | undefined;
}> {
  const res = await db.raw<{
    rows: Array<{
      ahead: number;
      run_at: string | Date | null;
      retry_comes: boolean;
      net_pending: boolean;
      cancelled: { id: string; name: string; run_at: string; attempts: number } | null;
      pointer: Record<string, unknown> | null;
    }>;
  }>(
    `with ahead as (${AHEAD_IN_CHANNEL_QUEUE_SQL}),
     ${pointer ? ':pItem,' : ''}
     ins as (
       insert into jobs (id, name, payload, status, run_at, max_attempts, backoff_ms, created_at, updated_at)
       select :qJob, :qName, cast(:qPayload as jsonb), 'pending',
              cast(:qNow as timestamptz) + greatest(:qMinDelay, ahead.n * :qPerAhead) * interval '1 millisecond',
              :qMaxAttempts, :qBackoff, :qNow, :qNow
         from ahead
       on conflict (id) do update
         set status = 'pending', run_at = excluded.run_at, attempts = 0, last_error = null,
             locked_by = null, locked_until = null, completed_at = null, updated_at = excluded.updated_at
         where jobs.status in ('completed', 'cancelled')
       returning run_at
     ),
     comes as (
       select exists (select 1 from ins)
           or not exists (select 1 from jobs r where r.id = :qJob and r.status = 'dead') as yes
     ),
     c as (
       update jobs set status = 'cancelled', updated_at = :qNow
        where id = :qReplaces and status = 'pending' and (select yes from comes)
       returning id, name, run_at, attempts
     )
     select ahead.n as ahead, (select run_at from ins) as run_at, (select yes from comes) as retry_comes,
            exists (select 1 from jobs n where n.id = :qReplaces and n.status = 'pending') as net_pending,
            (select row_to_json(c) from c) as cancelled,
            ${pointer ? '(select row_to_json(p) from pitem p limit 1)' : 'null'} as pointer
       from ahead`,
    {
      qSeverity: incident.severity,
      qIncident: incident.id,
      qJob: retry.id,
      qName: retry.name,
      qPayload: JSON.stringify(retry.payload ?? null),
      qNow: timing.now,
      qMinDelay: Math.max(0, Math.round(timing.minDelayMs)),
      qPerAhead: Math.max(0, Math.round(timing.perAheadMs)),
      qMaxAttempts: retry.maxAttempts,
      qBackoff: retry.backoffMs,
      qReplaces: replaces,
      ...(pointer
        ? {
            pItem: digestItemCtes(
              db,
              { kind: 'pointer', target: pointer.target, incidentId: incident.id, at: pointer.at },
              'pitem',
            ),
          }
        : {}),
    },
  );
  const row = res.rows[0];
  const c = row?.cancelled;
  return {
    ahead: Number(row?.ahead ?? 0),
    runAt: row?.run_at ? new Date(row.run_at) : undefined,
    retryComes: row?.retry_comes === true,
    safetyNetPending: row?.net_pending === true,
    cancelled: c ? { id: c.id, name: c.name, runAt: new Date(c.run_at), attempts: Number(c.attempts) } : undefined,
    pointer: row?.pointer ? toItem(row.pointer) : undefined,
  };
}

/** What reopening the incident's chat steps starts from (incidentForOpening). */
export interface OpeningState {
  incident: Incident;
  /** Its earliest alert's name, read only while it has no channel (the channel's name); null when it has no alert. */
  firstAlertname: string | null | undefined;
  /** Whether its pointer line was shown (its `pointer.posted` entry). */
  pointerPosted: boolean;
  /** The messages showing its pointer line: their channel, ts and target. */
  pointers: DigestMessageRef[];
}

/**
 * What the open-incident job resumes from, in ONE statement: the incident, its earliest alert's name (only while it
 * has no channel), whether its pointer line was shown and the messages showing it. Undefined when it does not exist.
 */
export async function incidentForOpening(db: Db, incidentId: number): Promise<OpeningState | undefined> {
  const res = await db.raw<{ rows: Record<string, unknown>[] }>(
    `select i.*,
       case when i.channel_id is null then json_build_object('name', (select a.alertname from alerts a
         where a.incident_id = i.id order by a.starts_at asc, a.id asc limit 1)) end as first_alert__,
       exists (select 1 from incident_events e where e.dedupe_key = :pointerKey) as pointer_posted__,
       :pointers as pointers__
     from incidents i where i.id = :id`,
    {
      id: incidentId,
      pointerKey: `pointer:${incidentId}`,
      pointers: messagesOfIncidentColumn(db, 'pointer', incidentId),
    },
  );
  const row = res.rows[0];
  if (!row) return undefined;
  const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
  const first = json(row.first_alert__) as { name: string | null } | null;
  return {
    incident: toIncident(row),
    firstAlertname: first ? first.name : undefined,
    pointerPosted: row.pointer_posted__ === true,
    pointers: (json(row.pointers__) ?? []) as OpeningState['pointers'],
  };
}
