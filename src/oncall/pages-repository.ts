// Queries of the `pages` table (owned by on-call: one row per person paged at a step of an incident's escalation).
import type { Knex } from 'knex';

/** Slack ids of the people paged for the incident so far. */
export async function pagedUsers(db: Knex | Knex.Transaction, incidentId: number): Promise<string[]> {
  const rows = (await db('pages').where({ incident_id: incidentId }).distinct('user')) as { user: string }[];
  return rows.map((r) => r.user);
}

/** How many pages the incident has sent. */
export async function countPages(db: Knex | Knex.Transaction, incidentId: number): Promise<number> {
  const row = await db('pages').where({ incident_id: incidentId }).count<{ n: number }[]>('* as n').first();
  return Number(row?.n ?? 0);
}

export interface PageKey {
  incidentId: number;
  round: number;
  step: number;
  user: string;
}

/** Whether this person was already paged at this step of this round. */
export async function hasPage(db: Knex | Knex.Transaction, key: PageKey): Promise<boolean> {
  const row = await db('pages')
    .where({ incident_id: key.incidentId, round: key.round, step: key.step, user: key.user })
    .first('id');
  return row !== undefined;
}

/** Records a sent page, once per person, step and round. */
export async function recordPage(
  db: Knex | Knex.Transaction,
  page: PageKey & { at: Date; outsideHours: boolean; channel: string; ts: string },
): Promise<void> {
  await recordPagesQuery(db, [page]);
}

/** The insert recording sent pages (once per person, step and round), not yet run: to join another statement. */
export function recordPagesQuery(
  db: Knex | Knex.Transaction,
  pages: Array<PageKey & { at: Date; outsideHours: boolean; channel: string; ts: string }>,
): Knex.QueryBuilder {
  return db('pages')
    .insert(
      pages.map((page) => ({
        incident_id: page.incidentId,
        user: page.user,
        at: page.at,
        outside_hours: page.outsideHours,
        round: page.round,
        step: page.step,
        channel: page.channel,
        ts: page.ts,
      })),
    )
    .onConflict(['incident_id', 'round', 'step', 'user'])
    .ignore();
}

/**
 * In ONE statement, the incident's messages that show it alone (sent before pages and pointers were coalesced): its
 * page DMs and its alerts-channel pointer, leaving out any message that holds a coalesced item. A coalesced delivery
 * records its page (or pointer event) in the statement that records its items, so a message read here as single never
 * becomes a coalesced one later: an answer does not overwrite a message listing others with its one line.
 */
export async function singleIncidentMessages(
  db: Knex | Knex.Transaction,
  incidentId: number,
): Promise<{
  pages: { channel: string; ts: string; round: number; step: number }[];
  pointer?: { channel: string; ts: string };
}> {
  const res = await db.raw<{ rows: Array<{ kind: string; channel: string; ts: string; round: number; step: number }> }>(
    `select 'page' as kind, p.channel, p.ts, p.round, p.step from pages p
      where p.incident_id = :id and p.ts is not null
        and not exists (select 1 from chat_digest_items d where d.kind = 'page' and d.target = p."user"
                          and d.channel = p.channel and d.ts = p.ts)
     union all
     select 'pointer', e.data ->> 'channel', e.data ->> 'ts', 0, 0 from incident_events e
      where e.dedupe_key = :key and e.data ->> 'channel' is not null and e.data ->> 'ts' is not null
        and not exists (select 1 from chat_digest_items d where d.kind = 'pointer' and d.incident_id = e.incident_id
                          and d.channel = e.data ->> 'channel' and d.ts = e.data ->> 'ts')`,
    { id: incidentId, key: `pointer:${incidentId}` },
  );
  const pages = res.rows
    .filter((r) => r.kind === 'page')
    .map(({ channel, ts, round, step }) => ({ channel, ts, round, step }));
  const p = res.rows.find((r) => r.kind === 'pointer');
  return { pages, ...(p ? { pointer: { channel: p.channel, ts: p.ts } } : {}) };
}

/**
 * Pages per person of a team's shift [start, end), with how many came outside business hours. It joins `incidents`
 * because a page belongs to a team only through its incident (`pages` has no team column).
 */
export async function pageLoadOfTeam(
  db: Knex | Knex.Transaction,
  opts: { team: string; start: Date; end: Date },
): Promise<{ user: string; count: number; outside: number }[]> {
  return (await db('pages as p')
    .join('incidents as i', 'i.id', 'p.incident_id')
    .where('i.team', opts.team)
    .where('p.at', '>=', opts.start)
    .where('p.at', '<', opts.end)
    .groupBy('p.user')
    .orderBy('p.user', 'asc')
    .select('p.user')
    .count<{ user: string; count: number }[]>('* as count')
    .select(db.raw('sum(case when p.outside_hours then 1 else 0 end)::int as outside'))) as unknown as {
    user: string;
    count: number;
    outside: number;
  }[];
}

/**
 * Moves an incident's pages to another (`/incident merge`): who was paged for the merged incident counts as paged for
 * the one it joined. A page the other incident holds for the same person, round and step stays where it was.
 */
export async function movePages(trx: Knex.Transaction, from: number, to: number): Promise<number> {
  const res = await trx.raw(
    `update pages p set incident_id = :to
      where p.incident_id = :from
        and not exists (select 1 from pages q
                         where q.incident_id = :to and q.round = p.round and q.step = p.step and q."user" = p."user")`,
    { from, to },
  );
  return Number((res as { rowCount?: number }).rowCount ?? 0);
}
