// Queries of `chat_digest_edits`: each coalesced message's edit sequence, so that edits of one message made by
// several processes end with one that shows what is recorded (presenters/slack/digest-order.ts says how).
import type { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

/** Takes the message's next edit number (1 for its first edit). */
export async function startDigestEdit(db: Db, channel: string, ts: string): Promise<number> {
  const res = await db.raw<{ rows: Array<{ seq: string }> }>(
    `insert into chat_digest_edits as e (channel, ts, seq) values (:channel, :ts, 1)
     on conflict (channel, ts) do update set seq = e.seq + 1 returning seq`,
    { channel, ts },
  );
  return Number(res.rows[0]!.seq);
}

/**
 * Once the edit numbered `mine` is done: when a later number was taken meanwhile (an edit by another process, which
 * may have reached Slack before this one and been hidden by it), takes the next and returns it; else undefined.
 */
export async function restartDigestEditIfOvertaken(
  db: Db,
  channel: string,
  ts: string,
  mine: number,
): Promise<number | undefined> {
  const res = await db.raw<{ rows: Array<{ seq: string }> }>(
    `update chat_digest_edits set seq = seq + 1 where channel = :channel and ts = :ts and seq > :mine returning seq`,
    { channel, ts, mine },
  );
  const row = res.rows[0];
  return row ? Number(row.seq) : undefined;
}
