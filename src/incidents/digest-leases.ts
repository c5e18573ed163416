// Queries of `chat_digest_leases`: which edit of a coalesced message may read, edit and record it now, so that edits of
// one message by several processes go one at a time (presenters/slack/chat-digest.ts, withDigestLease).
import type { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

/** Takes the message's lease for `holder` until `until`, unless another holds it past `now`; true when taken. */
export async function takeDigestLease(
  db: Db,
  at: { channel: string; ts: string },
  holder: string,
  now: Date,
  until: Date,
): Promise<boolean> {
  const res = await db.raw<{ rows: unknown[] }>(
    `insert into chat_digest_leases as l (channel, ts, holder, until) values (:channel, :ts, :holder, :until)
     on conflict (channel, ts) do update set holder = excluded.holder, until = excluded.until
       where l.until <= :now or l.holder = :holder
     returning 1`,
    { channel: at.channel, ts: at.ts, holder, until, now },
  );
  return res.rows.length > 0;
}

/** Moves the end of `holder`'s lease to `until` while it holds it (a long edit keeps it); false when it lost it. */
export async function renewDigestLease(
  db: Db,
  at: { channel: string; ts: string },
  holder: string,
  until: Date,
): Promise<boolean> {
  const rows = (await db('chat_digest_leases')
    .where({ channel: at.channel, ts: at.ts, holder })
    .update({ until })
    .returning('holder')) as unknown[];
  return rows.length > 0;
}

/**
 * Gives the lease back (the row goes, so no clock decides it is free); false when `holder` no longer held it: it ended
 * and another process took it, which may have edited the message meanwhile.
 */
export async function releaseDigestLease(
  db: Db,
  at: { channel: string; ts: string },
  holder: string,
): Promise<boolean> {
  const rows = (await db('chat_digest_leases')
    .where({ channel: at.channel, ts: at.ts, holder })
    .delete()
    .returning('holder')) as unknown[];
  return rows.length > 0;
}
