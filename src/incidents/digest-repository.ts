// Queries of `chat_digest_items`: the pages and pointers a presenter coalesces into one message each, and which message holds which.
import type { Knex } from 'knex';
import { toIncident, type Incident } from './repository.js';

type Db = Knex | Knex.Transaction;

/** A page DM, an incident's pointer in its team's alerts channel, an escalation notice there (no incident channel yet). */
export type DigestKind = 'page' | 'pointer' | 'notice';

/** How an item was answered (acknowledged, resolved, every alert resolved), as the presenter words it. */
export interface DigestAnswer {
  status: 'acknowledged' | 'resolved' | 'alerts_resolved';
  by: string;
}

export interface DigestItem {
  id: number;
  kind: DigestKind;
  /** A Slack user id for a page, a channel id for a pointer. */
  target: string;
  incidentId: number;
  round: number;
  step: number;
  steps: number;
  lateByMs: number;
  /** When it was first asked for (a retried job asks for the same item and keeps this time). */
  requestedAt: Date;
  channel: string | null;
  ts: string | null;
  deliveredAt: Date | null;
  failed: string | null;
  answer: DigestAnswer | null;
  /** What a notice says (the escalation notice, as data); null for pages and pointers. */
  data: unknown;
  /**
   * When a message showing it was first about to be posted or edited (that may have reached Slack unrecorded: a later
   * delivery looks for it first); null when no attempt was made or the last was refused before reaching Slack.
   */
  postAttemptedAt: Date | null;
}

export type Row = Record<string, unknown>;

/** A row of chat_digest_items (as read, or as `row_to_json` gives it) as an item. */
export function toItem(r: Row): DigestItem {
  return {
    id: Number(r.id),
    kind: r.kind as DigestKind,
    target: r.target as string,
    incidentId: r.incident_id as number,
    round: r.round as number,
    step: r.step as number,
    steps: r.steps as number,
    lateByMs: r.late_by_ms as number,
    requestedAt: new Date(r.requested_at as string),
    channel: (r.channel as string | null) ?? null,
    ts: (r.ts as string | null) ?? null,
    deliveredAt: r.delivered_at ? new Date(r.delivered_at as string) : null,
    failed: (r.failed as string | null) ?? null,
    answer: (r.answer as DigestAnswer | null) ?? null,
    data: r.data ?? null,
    postAttemptedAt: r.post_attempted_at ? new Date(r.post_attempted_at as string) : null,
  };
}

export interface DigestRequest {
  kind: DigestKind;
  target: string;
  incidentId: number;
  round?: number;
  step?: number;
  steps?: number;
  lateByMs?: number;
  /** A notice's content (stored as JSON). */
  data?: unknown;
  at: Date;
}

/**
 * The asking for an item (once: a second request of the same item changes nothing), as two CTEs of a `with` list, for
 * a statement to select from `name`: `<name>_new` inserts the item unless it exists (returning *), and `name` is the
 * row inserted or, when nothing was inserted, the row already there as the statement's snapshot sees it (no row only
 * when a concurrent request inserted the same item after that snapshot). The item's defaults and its conflict target
 * are written here only (requestDigestItem, and takeChannelTurn for an incident's pointer).
 */
export function digestItemCtes(db: Db, req: DigestRequest, name: string): Knex.Raw {
  const key = itemKey(req);
  const inserted = `${name}_new`;
  const insert = db('chat_digest_items')
    .insert({
      ...key,
      steps: req.steps ?? 1,
      late_by_ms: Math.round(req.lateByMs ?? 0),
      requested_at: req.at,
      ...(req.data === undefined ? {} : { data: JSON.stringify(req.data) }),
    })
    .onConflict(['kind', 'target', 'incident_id', 'round', 'step'])
    .ignore()
    .returning('*');
  const existing = db('chat_digest_items')
    .where(key)
    .whereNotExists((q) => void q.select(db.raw('1')).from(inserted));
  return db.raw('?? as (?), ?? as (select * from ?? union all ?)', [inserted, insert, name, inserted, existing]);
}

/**
 * Records that an item is to be shown (once: a second request of the same item changes nothing); returns it. One
 * statement: the insert, or the row already there (digestItemCtes). Only when a concurrent request inserted the same
 * item after this statement's snapshot does a second statement read it.
 */
export async function requestDigestItem(db: Db, req: DigestRequest): Promise<DigestItem> {
  const res = await db.raw<{ rows: Row[] }>('with ? select * from ??', [digestItemCtes(db, req, 'item'), 'item']);
  const row = res.rows[0] ?? ((await db('chat_digest_items').where(itemKey(req)).first()) as Row);
  return toItem(row);
}

/** The columns that name a requested item (its conflict target), round and step 0 unless given. */
function itemKey(req: DigestRequest) {
  return {
    kind: req.kind,
    target: req.target,
    incident_id: req.incidentId,
    round: req.round ?? 0,
    step: req.step ?? 0,
  };
}

export async function findDigestItem(db: Db, id: number): Promise<DigestItem | undefined> {
  const row = (await db('chat_digest_items').where({ id }).first()) as Row | undefined;
  return row ? toItem(row) : undefined;
}

/** Items of a target still waiting for a message, oldest first. */
export async function waitingDigestItems(db: Db, kind: DigestKind, target: string): Promise<DigestItem[]> {
  const rows = (await db('chat_digest_items')
    .where({ kind, target })
    .whereNull('ts')
    .whereNull('failed')
    .orderBy('id')) as Row[];
  return rows.map(toItem);
}

/** The items a message holds, in the order they joined it. */
export async function itemsOfMessage(db: Db, kind: DigestKind, channel: string, ts: string): Promise<DigestItem[]> {
  const rows = (await db('chat_digest_items').where({ kind, channel, ts }).orderBy('id')) as Row[];
  return rows.map(toItem);
}

/** The target's newest message (its channel, ts, when it was first posted and its items), if any. */
export async function newestDigestMessage(
  db: Db,
  kind: DigestKind,
  target: string,
): Promise<{ channel: string; ts: string; firstAt: Date; items: DigestItem[] } | undefined> {
  const last = (await db('chat_digest_items')
    .where({ kind, target })
    .whereNotNull('ts')
    .orderBy('delivered_at', 'desc')
    .orderBy('id', 'desc')
    .first()) as Row | undefined;
  if (!last) return undefined;
  const items = await itemsOfMessage(db, kind, last.channel as string, last.ts as string);
  const firstAt = new Date(Math.min(...items.map((i) => i.deliveredAt!.getTime())));
  return { channel: last.channel as string, ts: last.ts as string, firstAt, items };
}

/**
 * In one statement, what a delivery to `target` needs: the items still waiting for a message (oldest first) and the
 * target's newest message (its channel, ts, when it was first posted and its items), if any; with `incidents`, also
 * the incidents of all those items, as they are now (a page or a pointer shows its incident's state).
 */
export async function digestState(
  db: Db,
  kind: DigestKind,
  target: string,
  opts: { incidents?: boolean } = {},
): Promise<{
  waiting: DigestItem[];
  newest?: { channel: string; ts: string; firstAt: Date; items: DigestItem[] };
  incidents: Incident[];
}> {
  const newest = db('chat_digest_items')
    .where({ kind, target })
    .whereNotNull('ts')
    .orderBy('delivered_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .select('channel', 'ts');
  const rows = (await db('chat_digest_items')
    .where({ kind })
    .where(
      (w) =>
        void w
          .where((x) => void x.where({ target }).whereNull('ts').whereNull('failed'))
          .orWhereIn(['channel', 'ts'], newest),
    )
    .select(
      'chat_digest_items.*',
      ...(opts.incidents
        ? [db.raw('(select row_to_json(i) from incidents i where i.id = chat_digest_items.incident_id) as incident__')]
        : []),
    )
    .orderBy('id')) as Row[];
  return stateOfRows(rows);
}

/** What a delivery reads (digestState). */
export interface DigestState {
  waiting: DigestItem[];
  newest?: { channel: string; ts: string; firstAt: Date; items: DigestItem[] };
  incidents: Incident[];
}

/** The state from the rows of a target's waiting items and newest message (with `incident__` when read). */
export function stateOfRows(rows: Row[]): DigestState {
  const items = [...rows].sort((a, b) => Number(a.id) - Number(b.id)).map(toItem);
  const byId = new Map<number, Incident>();
  for (const r of rows) if (r.incident__) byId.set(Number(r.incident_id), incidentOfJson(r.incident__ as Row));
  const incidents = [...byId.values()];
  const waiting = items.filter((i) => i.ts === null && i.failed === null);
  const shown = items.filter((i) => i.ts !== null);
  if (!shown.length) return { waiting, incidents };
  const firstAt = new Date(Math.min(...shown.map((i) => i.deliveredAt!.getTime())));
  return { waiting, newest: { channel: shown[0]!.channel!, ts: shown[0]!.ts!, firstAt, items: shown }, incidents };
}

/** An incident read as JSON (`row_to_json`): its times come as strings. */
function incidentOfJson(r: Row): Incident {
  const at = (v: unknown) => (v == null ? null : new Date(v as string));
  return toIncident({
    ...r,
    opened_at: at(r.opened_at),
    acknowledged_at: at(r.acknowledged_at),
    resolved_at: at(r.resolved_at),
  });
}

/** A message holding delivered digest items: its channel, ts and the target it was sent to. */
export interface DigestMessageRef {
  channel: string;
  ts: string;
  target: string;
}

/**
 * The messages holding the incident's delivered items of `kind` (its pointer's message, to show it as it now is), with
 * the target each was sent to.
 */
export async function messagesOfIncident(db: Db, kind: DigestKind, incidentId: number): Promise<DigestMessageRef[]> {
  return (await db('chat_digest_items')
    .where({ kind, incident_id: incidentId })
    .whereNotNull('ts')
    .distinct('channel', 'ts', 'target')) as DigestMessageRef[];
}

/**
 * In ONE statement, the items a message holds (in the order they joined it) and their incidents (those not found left
 * out), to show the message as it now is.
 */
export async function itemsOfMessageWithIncidents(
  db: Db,
  kind: DigestKind,
  channel: string,
  ts: string,
): Promise<{ items: DigestItem[]; incidents: Incident[] }> {
  const res = await db.raw<{ rows: Row[] }>(
    `with m as (select * from chat_digest_items where kind = :kind and channel = :channel and ts = :ts)
     select i.*, (select coalesce(json_agg(m order by m.id), '[]'::json) from m) as items__
     from (select 1) one left join incidents i on i.id in (select incident_id from m)`,
    { kind, channel, ts },
  );
  const first = res.rows[0];
  const items = (typeof first?.items__ === 'string' ? JSON.parse(first.items__) : (first?.items__ ?? [])) as Row[];
  return { items: items.map(toItem), incidents: res.rows.filter((r) => r.id != null).map(toIncident) };
}

/** Records that these waiting items are now shown in the message `at`. */
export async function markDigestDelivered(
  db: Db,
  ids: number[],
  at: { channel: string; ts: string },
  when: Date,
): Promise<void> {
  await markDigestDeliveredQuery(db, ids, at, when);
}

function markDigestDeliveredQuery(db: Db, ids: number[], at: { channel: string; ts: string }, when: Date) {
  return db('chat_digest_items')
    .whereIn('id', ids)
    .whereNull('ts')
    .update({ channel: at.channel, ts: at.ts, delivered_at: when });
}

/**
 * Records that these waiting items are now shown in the message `at`, and, in the same statement (so both or neither
 * are written), what their showing leaves behind: `also` are unexecuted inserts (the pages counted, the pointers'
 * timeline entries), and `complete` the completion of the jobs this delivery served (selfCompletionOf). Returns the
 * ids of the jobs it completed and, of the incidents named in `channelOf` (those shown without their channel), the
 * ones whose channel is recorded now, as the same statement reads them.
 */
export async function markDigestDeliveredWith(
  db: Db,
  ids: number[],
  at: { channel: string; ts: string },
  when: Date,
  also: Knex.QueryBuilder[],
  complete?: { sql: string; bindings: Record<string, Date | string> },
  channelOf: number[] = [],
): Promise<{ held: Set<string>; withChannel: number[] }> {
  if (!also.length && !complete && !channelOf.length) {
    await markDigestDelivered(db, ids, at, when);
    return { held: new Set(), withChannel: [] };
  }
  const marked = markDigestDeliveredQuery(db, ids, at, when);
  const ctes = [...also.map((_, i) => `a${i} as (?)`), ...(complete ? ['c as (?)'] : [])];
  const channels = channelOf.length
    ? db('incidents')
        .whereIn('id', channelOf)
        .whereNotNull('channel_id')
        .select(db.raw('coalesce(json_agg(id), ?)', ['[]']))
    : undefined;
  const res = await db.raw<{ rows: Array<{ held: string[] | null; channels: number[] | string | null }> }>(
    `with ${['m as (?)', ...ctes].join(', ')} select ${complete ? '(select json_agg(id) from c)' : 'null'} as held, ` +
      `${channels ? '(?)' : 'null'} as channels`,
    [marked, ...also, ...(complete ? [db.raw(complete.sql, complete.bindings)] : []), ...(channels ? [channels] : [])],
  );
  const row = res.rows[0];
  const withChannel =
    typeof row?.channels === 'string' ? (JSON.parse(row.channels) as number[]) : (row?.channels ?? []);
  return { held: new Set(row?.held ?? []), withChannel };
}

/**
 * Records that a message showing these waiting items is about to be posted or edited (`at`), on those no attempt marked
 * yet (a mark stays the first attempt's, whichever process wrote it); returns the ids it marked.
 */
export async function markDigestPostAttempted(db: Db, ids: number[], at: Date): Promise<Set<number>> {
  const rows = (await db('chat_digest_items')
    .whereIn('id', ids)
    .whereNull('ts')
    .whereNull('post_attempted_at')
    .update({ post_attempted_at: at })
    .returning('id')) as Array<{ id: number | string }>;
  return new Set(rows.map((r) => Number(r.id)));
}

/**
 * Takes back the mark `at` of these waiting items (their post or edit was refused before it reached Slack: a rate
 * limit, a permanent refusal); a mark another attempt wrote since stays.
 */
export async function unmarkDigestPostAttempted(db: Db, ids: number[], at: Date): Promise<void> {
  await db('chat_digest_items')
    .whereIn('id', ids)
    .whereNull('ts')
    .where({ post_attempted_at: at })
    .update({ post_attempted_at: null });
}

/** Slack refused the item (or items) for good, or it no longer holds: it no longer waits for a message. */
export async function markDigestFailed(db: Db, id: number | number[], reason: string): Promise<void> {
  await db('chat_digest_items')
    .whereIn('id', Array.isArray(id) ? id : [id])
    .whereNull('ts')
    .update({ failed: reason.slice(0, 500) });
}

/**
 * Records the incident's answer on each of its items, delivered or still waiting (a line shown later shows it answered);
 * returns the messages (kind, channel, ts) holding the delivered ones.
 */
export async function answerDigestItems(
  db: Db,
  incidentId: number,
  answer: DigestAnswer,
): Promise<Array<{ kind: DigestKind; channel: string; ts: string }>> {
  await db('chat_digest_items')
    .where({ incident_id: incidentId })
    .update({ answer: JSON.stringify(answer) });
  return (await db('chat_digest_items')
    .where({ incident_id: incidentId })
    .whereNotNull('ts')
    .distinct('kind', 'channel', 'ts')) as Array<{ kind: DigestKind; channel: string; ts: string }>;
}
