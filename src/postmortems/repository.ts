// The `postmortems` and `postmortem_versions` tables: one postmortem per incident, its review state, every version of
// its Markdown, and what publishing made (branch, pull request, issues). Only this capability queries them.
import type { Knex } from 'knex';

export type PostmortemStatus = 'draft' | 'publishing' | 'published' | 'discarded';

/** A follow-up issue opened on publish. */
export interface PublishedIssue {
  title: string;
  number: number;
  url: string;
}

export interface Postmortem {
  id: number;
  incidentId: number;
  status: PostmortemStatus;
  markdown: string;
  version: number;
  author: string;
  channelId: string | null;
  messageTs: string | null;
  branch: string | null;
  prNumber: number | null;
  prUrl: string | null;
  issues: PublishedIssue[];
  lastError: string | null;
  publishedBy: string | null;
  updatedAt: Date;
}

type Db = Knex | Knex.Transaction;
type Row = Record<string, unknown>;

function toPostmortem(r: Row): Postmortem {
  return {
    id: r.id as number,
    incidentId: r.incident_id as number,
    status: r.status as PostmortemStatus,
    markdown: r.markdown as string,
    version: r.version as number,
    author: r.author as string,
    channelId: (r.channel_id as string | null) ?? null,
    messageTs: (r.message_ts as string | null) ?? null,
    branch: (r.branch as string | null) ?? null,
    prNumber: (r.pr_number as number | null) ?? null,
    prUrl: (r.pr_url as string | null) ?? null,
    issues: (typeof r.issues === 'string' ? JSON.parse(r.issues) : (r.issues ?? [])) as PublishedIssue[],
    lastError: (r.last_error as string | null) ?? null,
    publishedBy: (r.published_by as string | null) ?? null,
    updatedAt: new Date(r.updated_at as string),
  };
}

export async function findPostmortem(db: Db, id: number): Promise<Postmortem | undefined> {
  const r = (await db('postmortems').where({ id }).first()) as Row | undefined;
  return r ? toPostmortem(r) : undefined;
}

export async function findPostmortemOfIncident(db: Db, incidentId: number): Promise<Postmortem | undefined> {
  const r = (await db('postmortems').where({ incident_id: incidentId }).first()) as Row | undefined;
  return r ? toPostmortem(r) : undefined;
}

/** Inserts the first version; a second draft for the same incident changes nothing (returns undefined). */
export async function insertDraft(
  db: Db,
  p: { incidentId: number; markdown: string; author: string; at: Date },
): Promise<Postmortem | undefined> {
  const rows = (await db('postmortems')
    .insert({
      incident_id: p.incidentId,
      markdown: p.markdown,
      author: p.author,
      version: 1,
      status: 'draft',
      created_at: p.at,
      updated_at: p.at,
    })
    .onConflict('incident_id')
    .ignore()
    .returning('*')) as Row[];
  const row = rows[0];
  if (!row) return undefined;
  await db('postmortem_versions').insert({
    postmortem_id: row.id,
    version: 1,
    markdown: p.markdown,
    edited_by: p.author,
    at: p.at,
  });
  return toPostmortem(row);
}

/**
 * Saves an edit as a new version when the postmortem is still a draft and at `expectedVersion` (a stale modal
 * changes nothing); the earlier versions stay in postmortem_versions.
 */
export async function saveEdit(
  trx: Knex.Transaction,
  p: { id: number; expectedVersion: number; markdown: string; by: string; at: Date },
): Promise<Postmortem | undefined> {
  const rows = (await trx('postmortems')
    .where({ id: p.id, version: p.expectedVersion, status: 'draft' })
    .update({ markdown: p.markdown, version: p.expectedVersion + 1, updated_at: p.at })
    .returning('*')) as Row[];
  const row = rows[0];
  if (!row) return undefined;
  await trx('postmortem_versions').insert({
    postmortem_id: p.id,
    version: p.expectedVersion + 1,
    markdown: p.markdown,
    edited_by: p.by,
    at: p.at,
  });
  return toPostmortem(row);
}

export async function listVersions(
  db: Db,
  id: number,
): Promise<{ version: number; markdown: string; editedBy: string }[]> {
  const rows = (await db('postmortem_versions').where({ postmortem_id: id }).orderBy('version')) as Row[];
  return rows.map((r) => ({
    version: r.version as number,
    markdown: r.markdown as string,
    editedBy: r.edited_by as string,
  }));
}

/** Moves the status from one of `from` to `to`; undefined when it was not in `from` (a stale or second click). */
export async function transitionPostmortem(
  db: Db,
  id: number,
  from: PostmortemStatus[],
  to: PostmortemStatus,
  at: Date,
  patch: Record<string, unknown> = {},
): Promise<Postmortem | undefined> {
  const rows = (await db('postmortems')
    .where({ id })
    .whereIn('status', from)
    .update({ status: to, updated_at: at, ...patch })
    .returning('*')) as Row[];
  return rows[0] ? toPostmortem(rows[0]) : undefined;
}

/** Records what publishing made so far (branch, PR, issues, the last error), whatever the status. */
export async function recordPublishProgress(
  db: Db,
  id: number,
  patch: { branch?: string; prNumber?: number; prUrl?: string; issues?: PublishedIssue[]; lastError?: string | null },
  at: Date,
): Promise<void> {
  await db('postmortems')
    .where({ id })
    .update({
      updated_at: at,
      ...(patch.branch !== undefined ? { branch: patch.branch } : {}),
      ...(patch.prNumber !== undefined ? { pr_number: patch.prNumber } : {}),
      ...(patch.prUrl !== undefined ? { pr_url: patch.prUrl } : {}),
      ...(patch.issues !== undefined ? { issues: JSON.stringify(patch.issues) } : {}),
      ...(patch.lastError !== undefined ? { last_error: patch.lastError } : {}),
    });
}

/** Records where the review message was posted. */
export async function recordPostmortemMessage(db: Db, id: number, channelId: string, ts: string): Promise<void> {
  await db('postmortems').where({ id }).update({ channel_id: channelId, message_ts: ts });
}
