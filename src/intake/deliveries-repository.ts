// Queries of the `webhook_deliveries` table (owned by intake: one row per webhook received, processed by a job).
import type { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

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

/** The id of a delivery of this source whose header `header` has this value, if one was stored. */
export async function findDeliveryByHeader(
  db: Db,
  source: string,
  header: string,
  value: string,
): Promise<number | undefined> {
  const row = await db('webhook_deliveries').where({ source }).whereRaw('headers->>? = ?', [header, value]).first('id');
  return row ? (row.id as number) : undefined;
}

/** Stores a delivery unless its (source, delivery id) is stored; returns the new id, or undefined when it was. */
export async function insertDelivery(
  db: Db,
  d: { source: string; deliveryId: string; headers: Record<string, string>; body: unknown; receivedAt: Date },
): Promise<number | undefined> {
  const inserted = await db('webhook_deliveries')
    .insert({
      source: d.source,
      delivery_id: d.deliveryId,
      headers: JSON.stringify(d.headers),
      body: JSON.stringify(d.body),
      received_at: d.receivedAt,
    })
    .onConflict(['source', 'delivery_id'])
    .ignore()
    .returning('id');
  return (inserted[0] as { id: number } | undefined)?.id;
}

/** The id of the stored delivery with this (source, delivery id). */
export async function findDeliveryId(db: Db, source: string, deliveryId: string): Promise<number | undefined> {
  const row = await db('webhook_deliveries').where({ source, delivery_id: deliveryId }).first('id');
  return row ? (row.id as number) : undefined;
}
