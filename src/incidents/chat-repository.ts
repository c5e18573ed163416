// The incident's chat record (its channel, briefing message and state, invited responders), as a presenter writes it.
import type { Knex } from 'knex';
import type { ChatStep } from './repository.js';

type Db = Knex | Knex.Transaction;

/** Records the incident's channel unless one is recorded already; true when this call recorded it. */
export async function recordChannel(
  db: Db,
  incidentId: number,
  channel: { id: string; name: string },
  now: Date,
): Promise<boolean> {
  const updated = await db('incidents')
    .where({ id: incidentId })
    .whereNull('channel_id')
    .update({ channel_id: channel.id, channel_name: channel.name, updated_at: now });
  return updated > 0;
}

/** Records the briefing message and what it showed, unless a briefing is recorded already. */
export async function recordBriefing(db: Db, incidentId: number, ts: string, state: unknown): Promise<void> {
  await db('incidents')
    .where({ id: incidentId })
    .whereNull('briefing_ts')
    .update({ briefing_ts: ts, briefing_state: JSON.stringify(state) });
}

/** What the briefing shows now, compared with the next rendering to tell the thread what changed. */
export async function saveBriefingState(db: Db, incidentId: number, state: unknown): Promise<void> {
  await db('incidents')
    .where({ id: incidentId })
    .update({ briefing_state: JSON.stringify(state) });
}

/** The Slack user ids invited to the incident's channel; the `invited` step of opening it in chat is done. */
export async function recordResponders(db: Db, incidentId: number, userIds: string[], at: Date): Promise<void> {
  await db('incidents')
    .where({ id: incidentId })
    .update({
      responders: JSON.stringify(userIds),
      chat_progress: db.raw('chat_progress || ?::jsonb', [JSON.stringify({ invited: at.toISOString() })]),
    });
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

/**
 * How many incidents come before this one in the queue for a channel: open ones with no channel yet that are more
 * severe, or as severe and opened earlier (SEV1 first, then in the order they came).
 */
export async function channelQueuePosition(db: Db, incident: { id: number; severity: string }): Promise<number> {
  const [row] = (await db('incidents')
    .whereNull('channel_id')
    .whereNot('status', 'resolved')
    .where((q) => {
      void q
        .where('severity', '<', incident.severity)
        .orWhere((q2) => void q2.where('severity', incident.severity).where('id', '<', incident.id));
    })
    .count({ n: '*' })) as Array<{ n: string | number }>;
  return Number(row?.n ?? 0);
}
