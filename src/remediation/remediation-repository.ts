// Remediation runs in Postgres: inserts, conditional state transitions (so a click applies once) and timeline entries.
import type { Knex } from 'knex';
import { findIncident, type Incident } from '../incidents/repository.js';
import { appendEvent } from '../incidents/timeline-repository.js';

export const REMEDIATION_STATUSES = [
  'proposed',
  'approved',
  'running',
  'succeeded',
  'failed',
  'verified',
  'not_recovered',
  'rejected',
  'undone',
] as const;
export type RemediationStatus = (typeof REMEDIATION_STATUSES)[number];

/** Runner outcome and verification verdict, kept on the run. */
export interface RemediationResult {
  decidedBy?: 'human' | 'policy';
  policyRule?: string;
  runDetail?: string;
  verdict?: {
    recovered: boolean | null;
    role: string;
    value: number | null;
    limit: number | null;
    detail: string;
    credited?: boolean;
  };
  [key: string]: unknown;
}

/** One remediation run (a row of remediation_runs). */
export interface RemediationRun {
  id: number;
  incidentId: number;
  action: string;
  service: string;
  cause: string | null;
  status: RemediationStatus;
  proposedBy: string;
  approvedBy: string | null;
  rejectedBy: string | null;
  rejectReason: string | null;
  confidence: number | null;
  hypothesis: string | null;
  undoOf: number | null;
  externalRef: string | null;
  result: RemediationResult | null;
  createdAt: Date;
  approvedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  verifiedAt: Date | null;
}

/** The incident fields remediation needs. */
export interface IncidentForRemediation {
  id: number;
  publicId: string;
  title: string;
  service: string | null;
  status: string;
  commander: string | null;
  channelId: string | null;
  openedAt: Date;
}

type Db = Knex | Knex.Transaction;
type Row = Record<string, unknown>;

function toRun(r: Row): RemediationRun {
  return {
    id: r.id as number,
    incidentId: r.incident_id as number,
    action: r.action as string,
    service: r.service as string,
    cause: (r.cause as string | null) ?? null,
    status: r.status as RemediationStatus,
    proposedBy: r.proposed_by as string,
    approvedBy: (r.approved_by as string | null) ?? null,
    rejectedBy: (r.rejected_by as string | null) ?? null,
    rejectReason: (r.reject_reason as string | null) ?? null,
    confidence: r.confidence === null || r.confidence === undefined ? null : Number(r.confidence),
    hypothesis: (r.hypothesis as string | null) ?? null,
    undoOf: (r.undo_of as number | null) ?? null,
    externalRef: (r.external_ref as string | null) ?? null,
    result: (r.result as RemediationResult | null) ?? null,
    createdAt: r.created_at as Date,
    approvedAt: (r.approved_at as Date | null) ?? null,
    startedAt: (r.started_at as Date | null) ?? null,
    finishedAt: (r.finished_at as Date | null) ?? null,
    verifiedAt: (r.verified_at as Date | null) ?? null,
  };
}

/** A proposal to record: a catalog action for a service (and cause) of an incident. */
export interface NewProposal {
  incidentId: number;
  action: string;
  service: string;
  cause: string | null;
  proposedBy: string;
  confidence: number | null;
  hypothesis: string | null;
  undoOf?: number | null;
  now: Date;
}

/**
 * Records a proposal; when the same action is already proposed for the incident (same service and cause), or the
 * run already has an undo, returns that run instead, so re-running the investigation does not multiply buttons.
 */
export async function insertProposal(db: Db, p: NewProposal): Promise<{ run: RemediationRun; created: boolean }> {
  const inserted = await db.raw(
    `insert into remediation_runs (incident_id, action, service, cause, proposed_by, confidence, hypothesis, undo_of, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     on conflict do nothing
     returning *`,
    [
      p.incidentId,
      p.action,
      p.service,
      p.cause,
      p.proposedBy,
      p.confidence,
      p.hypothesis,
      p.undoOf ?? null,
      p.now,
      p.now,
    ],
  );
  const row = (inserted.rows as Row[])[0];
  if (row) return { run: toRun(row), created: true };
  if (p.undoOf) {
    const undo = (await db('remediation_runs').where({ undo_of: p.undoOf }).first()) as Row | undefined;
    if (undo) return { run: toRun(undo), created: false };
  }
  const existing = await db('remediation_runs')
    .where({ incident_id: p.incidentId, action: p.action, service: p.service, status: 'proposed' })
    .whereRaw(`coalesce(cause, '') = ?`, [p.cause ?? ''])
    .first();
  return { run: toRun(existing as Row), created: false };
}

export async function getRun(db: Db, id: number): Promise<RemediationRun | undefined> {
  const row = (await db('remediation_runs').where({ id }).first()) as Row | undefined;
  return row ? toRun(row) : undefined;
}

export async function listRuns(db: Db, incidentId: number): Promise<RemediationRun[]> {
  const rows = (await db('remediation_runs').where({ incident_id: incidentId }).orderBy('id')) as Row[];
  return rows.map(toRun);
}

/** The incident's run that is approved or running, other than `exceptId`. */
export async function findInFlight(db: Db, incidentId: number, exceptId?: number): Promise<RemediationRun | undefined> {
  const q = db('remediation_runs').where({ incident_id: incidentId }).whereIn('status', ['approved', 'running']);
  if (exceptId !== undefined) q.whereNot({ id: exceptId });
  const row = (await q.first()) as Row | undefined;
  return row ? toRun(row) : undefined;
}

/** Columns a state transition may set along with the new status. */
export interface RunPatch {
  approved_by?: string;
  rejected_by?: string;
  reject_reason?: string | null;
  external_ref?: string | null;
  result?: RemediationResult;
  approved_at?: Date;
  started_at?: Date;
  finished_at?: Date;
  verified_at?: Date;
}

/**
 * Moves a run to `to` only if it is in one of `from`; returns the updated run, or undefined when it was not
 * (someone else got there first). This is what makes a double click or two approvers at once apply once.
 */
export async function transitionRun(
  db: Db,
  id: number,
  from: RemediationStatus[],
  to: RemediationStatus,
  patch: RunPatch,
  now: Date,
): Promise<RemediationRun | undefined> {
  const values: Record<string, unknown> = { ...patch, status: to, updated_at: now };
  if (patch.result) values.result = JSON.stringify(patch.result);
  const rows = (await db('remediation_runs')
    .where({ id })
    .whereIn('status', from)
    .update(values)
    .returning('*')) as Row[];
  return rows[0] ? toRun(rows[0]) : undefined;
}

export async function getIncidentForRemediation(db: Db, id: number): Promise<IncidentForRemediation | undefined> {
  const i = await findIncident(db, id);
  return i ? toIncidentForRemediation(i) : undefined;
}

/** What remediation needs of an incident the caller already loaded. */
export function toIncidentForRemediation(i: Incident): IncidentForRemediation {
  return {
    id: i.id,
    publicId: i.publicId,
    title: i.title,
    service: i.service,
    status: i.status,
    commander: i.commander,
    channelId: i.channelId,
    openedAt: i.openedAt,
  };
}

/** Appends to the incident's timeline; with a dedupe key, a second append of the same fact is ignored. */
export async function appendTimeline(
  db: Db,
  e: { incidentId: number; type: string; actor: string; data: Record<string, unknown>; at: Date; dedupeKey?: string },
): Promise<boolean> {
  return appendEvent(db, e);
}

/** Proposals waiting for approval on the given incidents, oldest first. */
export async function listProposedRuns(
  db: Db,
  incidentIds: number[],
): Promise<{ id: number; incidentId: number; action: string; service: string }[]> {
  if (incidentIds.length === 0) return [];
  const rows = (await db('remediation_runs')
    .whereIn('incident_id', incidentIds)
    .where({ status: 'proposed' })
    .orderBy('id', 'asc')
    .select('id', 'incident_id', 'action', 'service')) as Row[];
  return rows.map((r) => ({
    id: r.id as number,
    incidentId: r.incident_id as number,
    action: r.action as string,
    service: r.service as string,
  }));
}

/** The statuses of the incident's runs of one action. */
export async function runStatusesOf(db: Db, incidentId: number, action: string): Promise<string[]> {
  const rows = (await db('remediation_runs').where({ incident_id: incidentId, action }).select('status')) as {
    status: string;
  }[];
  return rows.map((r) => r.status);
}

/** How many runs the incident has, in any status. */
export async function countRuns(db: Db, incidentId: number): Promise<number> {
  const row = await db('remediation_runs').where({ incident_id: incidentId }).count<{ count: number }[]>('* as count');
  return Number(row[0]?.count ?? 0);
}

/** Locks the run's row for the rest of the transaction. */
export async function lockRun(trx: Knex.Transaction, id: number): Promise<void> {
  await trx('remediation_runs').where({ id }).forUpdate().first('id');
}

/** Replaces the run's result (its verdict, once verified), leaving its status as it is. */
export async function saveRunResult(db: Db, id: number, result: RemediationResult): Promise<void> {
  await db('remediation_runs')
    .where({ id })
    .update({ result: JSON.stringify(result) });
}
