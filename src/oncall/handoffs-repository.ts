// Queries of the `handoffs` table (owned by on-call: one row per shift handoff, with its report and confirmations).
import type { Knex } from 'knex';

export type HandoffRow = Record<string, unknown>;

/** Inserts a handoff unless one with its dedupe key exists; returns the new row, or undefined when it existed. */
export async function insertHandoff(
  db: Knex | Knex.Transaction,
  handoff: {
    team: string;
    schedule: string | null;
    dedupeKey: string;
    shiftStart: Date;
    shiftEnd: Date;
    outgoing: string | null;
    incoming: string | null;
    channelId: string | null | undefined;
    report: unknown;
    requestedBy: string | null;
  },
): Promise<HandoffRow | undefined> {
  const rows = await db('handoffs')
    .insert({
      team: handoff.team,
      schedule: handoff.schedule,
      dedupe_key: handoff.dedupeKey,
      shift_start: handoff.shiftStart,
      shift_end: handoff.shiftEnd,
      outgoing: handoff.outgoing,
      incoming: handoff.incoming,
      channel_id: handoff.channelId,
      report: JSON.stringify(handoff.report),
      requested_by: handoff.requestedBy,
    })
    .onConflict('dedupe_key')
    .ignore()
    .returning('*');
  return rows[0] as HandoffRow | undefined;
}

export async function findHandoff(db: Knex | Knex.Transaction, id: number): Promise<HandoffRow | undefined> {
  return (await db('handoffs').where({ id }).first()) as HandoffRow | undefined;
}

export async function findHandoffByKey(
  db: Knex | Knex.Transaction,
  dedupeKey: string,
): Promise<HandoffRow | undefined> {
  return (await db('handoffs').where({ dedupe_key: dedupeKey }).first()) as HandoffRow | undefined;
}

/** Records a role's confirmation unless it is already recorded; returns the updated row, or undefined when it was. */
export async function confirmHandoffRole(
  db: Knex | Knex.Transaction,
  id: number,
  role: 'outgoing' | 'incoming',
  now: Date,
): Promise<HandoffRow | undefined> {
  const column = `${role}_confirmed_at`;
  const rows = await db('handoffs')
    .where({ id })
    .whereNull(column)
    .update({ [column]: now })
    .returning('*');
  return rows[0] as HandoffRow | undefined;
}

/** Marks a reminder stage of the handoff as done. */
export async function markHandoffStage(
  db: Knex | Knex.Transaction,
  id: number,
  stage: 'reminded' | 'escalated',
  now: Date,
): Promise<void> {
  await db('handoffs')
    .where({ id })
    .update({ [`${stage}_at`]: now });
}

/** Stores where the handoff was posted, unless it was already posted. */
export async function saveHandoffMessage(
  db: Knex | Knex.Transaction,
  id: number,
  message: { channel: string; ts: string },
): Promise<void> {
  await db('handoffs')
    .where({ id })
    .whereNull('message_ts')
    .update({ message_ts: message.ts, channel_id: message.channel });
}
