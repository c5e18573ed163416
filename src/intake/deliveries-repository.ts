// Queries of the `webhook_deliveries` table (owned by intake: one row per webhook received, processed by a job).
import type { Knex } from 'knex';

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

/**
 * In ONE statement: finds an earlier delivery with the same (source, delivery id), or with the same value of
 * `alsoDedupeOn.header`; when there is none, stores the delivery and its job (payload `{ deliveryId }`). Returns
 * the new or the earlier delivery's id, or undefined in the one case a single statement cannot tell: a concurrent
 * request stored the same delivery after this statement's snapshot (the insert was skipped on the conflict and the
 * earlier row is not visible to it); the caller then looks it up.
 */
export async function storeDeliveryAndJob(
  db: Db,
  d: { source: string; deliveryId: string; headers: Record<string, string>; body: unknown; receivedAt: Date },
  job: DeliveryJob,
  alsoDedupeOn: { header: string; value: string } | undefined,
): Promise<{ id: number; duplicate: boolean; jobId?: string } | undefined> {
  const byHeader = alsoDedupeOn
    ? `union all
        (select id from webhook_deliveries where source = :source and headers->>:header = :headerValue limit 1)`
    : '';
  const result = await db.raw(
    `with earlier as (
       select id from (
         (select id from webhook_deliveries where source = :source and delivery_id = :deliveryId limit 1)
         ${byHeader}
       ) e limit 1
     ),
     stored as (
       insert into webhook_deliveries (source, delivery_id, headers, body, received_at)
       select :source, :deliveryId, cast(:headers as jsonb), cast(:body as jsonb), :receivedAt
       where not exists (select 1 from earlier)
       on conflict (source, delivery_id) do nothing
       returning id
     ),
     queued as (
       insert into jobs (id, name, payload, status, run_at, max_attempts, backoff_ms, created_at, updated_at)
       select :idPrefix || stored.id, :jobName, jsonb_build_object('deliveryId', stored.id), 'pending', :runAt,
              :maxAttempts, :backoffMs, :now, :now
       from stored
       on conflict (id) do nothing
       returning id
     )
     select (select id from stored) as stored_id, (select id from earlier) as earlier_id,
            (select id from queued) as job_id`,
    {
      source: d.source,
      deliveryId: d.deliveryId,
      headers: JSON.stringify(d.headers),
      body: JSON.stringify(d.body),
      receivedAt: d.receivedAt,
      idPrefix: job.idPrefix,
      jobName: job.name,
      runAt: job.runAt,
      maxAttempts: job.maxAttempts,
      backoffMs: job.backoffMs,
      now: new Date(),
      ...(alsoDedupeOn ? { header: alsoDedupeOn.header, headerValue: alsoDedupeOn.value } : {}),
    },
  );
  const row = (
    result as { rows: Array<{ stored_id: number | null; earlier_id: number | null; job_id: string | null }> }
  ).rows[0];
  if (row?.stored_id != null) return { id: Number(row.stored_id), duplicate: false, jobId: row.job_id ?? undefined };
  if (row?.earlier_id != null) return { id: Number(row.earlier_id), duplicate: true };
  return undefined;
}

export interface StoredDelivery {
  id: number;
  source: string;
  status: string;
  body: unknown;
}

export async function findDelivery(db: Db, id: number): Promise<StoredDelivery | undefined> {
  return (await db('webhook_deliveries').where({ id }).first()) as StoredDelivery | undefined;
}

export async function markDeliveryProcessed(db: Db, id: number, now: Date): Promise<void> {
  await db('webhook_deliveries').where({ id }).update({ status: 'processed', processed_at: now });
}

/** The id of the stored delivery with this (source, delivery id). */
export async function findDeliveryId(db: Db, source: string, deliveryId: string): Promise<number | undefined> {
  const row = await db('webhook_deliveries').where({ source, delivery_id: deliveryId }).first('id');
  return row ? (row.id as number) : undefined;
}
