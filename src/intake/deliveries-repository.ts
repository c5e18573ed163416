// Queries of the `webhook_deliveries` table (owned by intake: one row per webhook received, processed by a job).
import type { Knex } from 'knex';
import { selfCompletion } from '../jobs/job-scope.js';

type Db = Knex | Knex.Transaction;

/** The job row that processes a new delivery: its id and payload are made from the delivery's id in the statement. */
export interface DeliveryJob {
  name: string;
  /** The job's id is this prefix followed by the delivery's id. */
  idPrefix: string;
  runAt: Date;
  maxAttempts: number;
  backoffMs: number;
}

/** A delivery to record: `webhookId` (PagerDuty's X-Webhook-Id) marks a duplicate too when an earlier row has it. */
export interface DeliveryToStore {
  source: string;
  deliveryId: string;
  headers: Record<string, string>;
  body: unknown;
  receivedAt: Date;
  webhookId?: string;
}

/** What the statement found for one delivery; undefined in the one case a single statement cannot tell (below). */
export type StoreOutcome = { id: number; duplicate: boolean; jobId?: string } | undefined;

/**
 * In ONE statement for any number of deliveries (group commit: one transaction, one WAL flush): for each, finds an
 * earlier delivery with the same (source, delivery id), or (PagerDuty) the same X-Webhook-Id; when there is none,
 * stores the delivery and its job (payload `{ deliveryId }`). Returns, in the order given, the new or the earlier
 * delivery's id, or undefined when a concurrent statement stored the same delivery after this one's snapshot (the
 * insert was skipped on the conflict and the earlier row is not visible to it); the caller then looks it up. The
 * deliveries must be distinct (no two with the same source and id, or the same webhook id): the caller settles
 * duplicates within one batch itself.
 */
export async function storeDeliveriesAndJobs(
  db: Db,
  deliveries: DeliveryToStore[],
  job: DeliveryJob,
): Promise<StoreOutcome[]> {
  if (!deliveries.length) return [];
  // One jsonb parameter holds every row, so the statement's text (and plan) is the same whatever the batch size.
  const rows = deliveries.map((d, ord) => ({
    ord,
    source: d.source,
    delivery_id: d.deliveryId,
    headers: d.headers,
    body: d.body,
    received_at: d.receivedAt.toISOString(),
    webhook_id: d.webhookId ?? null,
  }));
  const result = await db.raw(
    `with input as (
       select * from jsonb_to_recordset(cast(:rows as jsonb))
         as t(ord int, source text, delivery_id text, headers jsonb, body jsonb, received_at timestamptz,
              webhook_id text)
     ),
     earlier as (
       select i.ord, coalesce(
         (select w.id from webhook_deliveries w where w.source = i.source and w.delivery_id = i.delivery_id limit 1),
         (select w.id from webhook_deliveries w
           where i.webhook_id is not null and w.source = 'pagerduty' and i.source = 'pagerduty'
             and w.headers->>'x-webhook-id' = i.webhook_id limit 1)
       ) as id
       from input i
     ),
     stored as (
       insert into webhook_deliveries (source, delivery_id, headers, body, received_at)
       select i.source, i.delivery_id, i.headers, i.body, i.received_at
       from input i join earlier e on e.ord = i.ord
       where e.id is null
       order by i.ord
       on conflict (source, delivery_id) do nothing
       returning id, source, delivery_id
     ),
     queued as (
       insert into jobs (id, name, payload, status, run_at, max_attempts, backoff_ms, created_at, updated_at)
       select :idPrefix || stored.id, :jobName, jsonb_build_object('deliveryId', stored.id), 'pending', :runAt,
              :maxAttempts, :backoffMs, :now, :now
       from stored
       on conflict (id) do nothing
       returning id
     )
     select e.ord, s.id as stored_id, e.id as earlier_id, q.id as job_id
     from input i
     join earlier e on e.ord = i.ord
     left join stored s on s.source = i.source and s.delivery_id = i.delivery_id
     left join queued q on q.id = :idPrefix || s.id`,
    {
      rows: JSON.stringify(rows),
      idPrefix: job.idPrefix,
      jobName: job.name,
      runAt: job.runAt,
      maxAttempts: job.maxAttempts,
      backoffMs: job.backoffMs,
      now: new Date(),
    },
  );
  const out: StoreOutcome[] = deliveries.map(() => undefined);
  for (const row of (
    result as {
      rows: Array<{ ord: number; stored_id: number | null; earlier_id: number | null; job_id: string | null }>;
    }
  ).rows) {
    if (row.stored_id != null)
      out[row.ord] = { id: Number(row.stored_id), duplicate: false, jobId: row.job_id ?? undefined };
    else if (row.earlier_id != null) out[row.ord] = { id: Number(row.earlier_id), duplicate: true };
  }
  return out;
}

export interface StoredDelivery {
  id: number;
  source: string;
  status: string;
  body: unknown;
}

/** Reads of deliveries waiting for the statement that reads them, per database (readDelivery). */
const pendingReads = new WeakMap<Knex, Map<number, Array<(row: StoredDelivery | undefined, err?: Error) => void>>>();

/**
 * Reads one delivery, with every other read asked for in the same turn of the event loop (the jobs of a burst start
 * together: a poll claims many) in one statement, not one each. A failure fails each of them alike.
 */
export function readDelivery(knex: Knex, id: number): Promise<StoredDelivery | undefined> {
  return new Promise((resolve, reject) => {
    let waiting = pendingReads.get(knex);
    if (!waiting) {
      const batch = new Map<number, Array<(row: StoredDelivery | undefined, err?: Error) => void>>();
      waiting = batch;
      pendingReads.set(knex, batch);
      setImmediate(() => {
        pendingReads.delete(knex);
        const ids = [...batch.keys()];
        knex('webhook_deliveries')
          .whereIn('id', ids)
          .then((rows: StoredDelivery[]) => {
            const byId = new Map(rows.map((r) => [Number(r.id), r]));
            for (const [i, done] of batch) for (const d of done) d(byId.get(i));
          })
          .catch((err: unknown) => {
            const failure = err instanceof Error ? err : new Error('could not read deliveries', { cause: err });
            for (const done of batch.values()) for (const d of done) d(undefined, failure);
          });
      });
    }
    const done = waiting.get(id) ?? [];
    done.push((row, err) => (err === undefined ? resolve(row) : reject(err)));
    waiting.set(id, done);
  });
}

export async function markDeliveryProcessed(db: Db, id: number, now: Date, job?: string): Promise<void> {
  // Run by the job named `job`, the same statement marks that job completed (no completion statement of its own).
  const self = job ? selfCompletion(job) : undefined;
  if (!self) {
    await db('webhook_deliveries').where({ id }).update({ status: 'processed', processed_at: now });
    return;
  }
  const res = await db.raw<{ rows: Array<{ held: number }> }>(
    `with d as (update webhook_deliveries set status = 'processed', processed_at = :now where id = :id),` +
      ` j as (${self.sql}) select count(*)::int as held from j`,
    { now, id, ...self.bindings },
  );
  self.done(Number(res.rows[0]?.held) > 0);
}

/**
 * The delivery's completion as parts of another statement (an `OpeningTail`, src/incidents/opening-repository.ts):
 * marks it processed and, run by the job named `job`, marks that job completed, both only when `onlyIf` holds (SQL on
 * the statement's other parts). `done` takes what the statement returned for `result`.
 */
export function deliveryCompletionParts(
  id: number,
  now: Date,
  job: string,
  onlyIf: string,
): { ctes: string; result: string; bindings: Record<string, unknown>; done: (result: unknown) => void } {
  const delivered =
    `delivered_ as (update webhook_deliveries set status = 'processed', processed_at = :deliveredAt` +
    ` where id = :deliveredId and ${onlyIf})`;
  const bindings = { deliveredAt: now, deliveredId: id };
  const self = selfCompletion(job, onlyIf);
  if (!self) return { ctes: delivered, result: 'null', bindings, done: () => {} };
  return {
    ctes: `${delivered}, completed_ as (${self.sql})`,
    result: '(select count(*)::int from completed_)',
    bindings: { ...bindings, ...self.bindings },
    done: (result) => self.done(Number(result) > 0),
  };
}

/** The id of the stored delivery with this (source, delivery id). */
export async function findDeliveryId(db: Db, source: string, deliveryId: string): Promise<number | undefined> {
  const row = await db('webhook_deliveries').where({ source, delivery_id: deliveryId }).first('id');
  return row ? (row.id as number) : undefined;
}
