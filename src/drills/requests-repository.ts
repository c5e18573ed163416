// The drill_requests table: drills asked for in Slack (`/drill <runbook>`), their channel, state, report and PR.
import type { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

export type DrillRequestStatus = 'running' | 'done' | 'failed';
export type DrillPrStatus = 'pending' | 'opened' | 'failed' | 'skipped';

export interface DrillRequest {
  id: number;
  runbook: string;
  scenario: string;
  requestedBy: string;
  requestedIn: string;
  status: DrillRequestStatus;
  channelId: string | null;
  channelName: string | null;
  notesPosted: number;
  drillRunId: number | null;
  error: string | null;
  prStatus: DrillPrStatus | null;
  prBranch: string | null;
  prNumber: number | null;
  prUrl: string | null;
  prError: string | null;
  createdAt: Date;
}

function toRequest(r: Record<string, unknown>): DrillRequest {
  return {
    id: r.id as number,
    runbook: r.runbook as string,
    scenario: r.scenario as string,
    requestedBy: r.requested_by as string,
    requestedIn: r.requested_in as string,
    status: r.status as DrillRequestStatus,
    channelId: (r.channel_id as string | null) ?? null,
    channelName: (r.channel_name as string | null) ?? null,
    notesPosted: Number(r.notes_posted ?? 0),
    drillRunId: (r.drill_run_id as number | null) ?? null,
    error: (r.error as string | null) ?? null,
    prStatus: (r.pr_status as DrillPrStatus | null) ?? null,
    prBranch: (r.pr_branch as string | null) ?? null,
    prNumber: (r.pr_number as number | null) ?? null,
    prUrl: (r.pr_url as string | null) ?? null,
    prError: (r.pr_error as string | null) ?? null,
    createdAt: new Date(r.created_at as string),
  };
}

/** Postgres' unique_violation: the partial index allows one running drill per runbook. */
const isUniqueViolation = (err: unknown) => (err as { code?: string } | null)?.code === '23505';

/**
 * Records a running drill of `runbook`; returns null when one is already running (the partial unique index decides,
 * so two concurrent `/drill` commands start one drill).
 */
export async function insertDrillRequest(
  db: Db,
  p: { runbook: string; scenario: string; requestedBy: string; requestedIn: string; at: Date },
): Promise<DrillRequest | null> {
  try {
    // In a transaction of its own (a savepoint inside the caller's), so a refused insert leaves the caller's usable.
    const [row] = (await db.transaction((sp) =>
      sp('drill_requests')
        .insert({
          runbook: p.runbook,
          scenario: p.scenario,
          requested_by: p.requestedBy,
          requested_in: p.requestedIn,
          status: 'running',
          created_at: p.at,
          updated_at: p.at,
        })
        .returning('*'),
    )) as Array<Record<string, unknown>>;
    return toRequest(row!);
  } catch (err) {
    if (isUniqueViolation(err)) return null;
    throw err;
  }
}

export async function findDrillRequest(db: Db, id: number): Promise<DrillRequest | undefined> {
  const row = (await db('drill_requests').where({ id }).first()) as Record<string, unknown> | undefined;
  return row ? toRequest(row) : undefined;
}

/** The running drill of a runbook, if any. */
export async function runningDrillOf(db: Db, runbook: string): Promise<DrillRequest | undefined> {
  const row = (await db('drill_requests').where({ runbook, status: 'running' }).first()) as
    Record<string, unknown> | undefined;
  return row ? toRequest(row) : undefined;
}

/** How many drills of the runbook were asked for up to and including this one (the N of drill-<runbook>-N). */
export async function drillNumber(db: Db, request: Pick<DrillRequest, 'id' | 'runbook'>): Promise<number> {
  const row = (await db('drill_requests')
    .where({ runbook: request.runbook })
    .where('id', '<=', request.id)
    .count({ n: '*' })
    .first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 1);
}

type Progress = Partial<{
  status: DrillRequestStatus;
  channel_id: string;
  channel_name: string;
  notes_posted: number;
  drill_run_id: number;
  error: string | null;
  pr_status: DrillPrStatus;
  pr_branch: string;
  pr_number: number;
  pr_url: string;
  pr_error: string | null;
}>;

/** Records what a drill request's job has done so far. */
export async function updateDrillRequest(db: Db, id: number, progress: Progress, at: Date): Promise<void> {
  await db('drill_requests')
    .where({ id })
    .update({ ...progress, updated_at: at });
}
