// The autonomy tables: the kill switch (autonomy_state), the policy's decisions (autonomy_decisions) and the shadow
// decisions (autonomy_shadow_decisions). The blast radius reads remediation_runs across incidents (see below).
import type { Knex } from 'knex';
import type { AutonomyMode } from '../config.js';
import type { AutonomyCheck } from './policy-table.js';

type Db = Knex | Knex.Transaction;

/** The stored kill switch. */
export interface PauseState {
  paused: boolean;
  reason: string | null;
  changedBy: string | null;
  changedAt: Date | null;
}

export async function readPauseState(db: Db): Promise<PauseState> {
  return pauseStateOfRow((await db('autonomy_state').where({ id: 1 }).first()) as Record<string, unknown> | undefined);
}

/** The kill switch from its `autonomy_state` row as read elsewhere (as a table row or as JSON); never set: not paused. */
export function pauseStateOfRow(row: Record<string, unknown> | null | undefined): PauseState {
  const at = row?.changed_at as Date | string | null | undefined;
  return {
    paused: row?.paused === true,
    reason: (row?.reason as string | null | undefined) ?? null,
    changedBy: (row?.changed_by as string | null | undefined) ?? null,
    changedAt: at === null || at === undefined ? null : new Date(at),
  };
}

/** Sets the kill switch; returns false when it already was in that position (nothing changed). */
export async function setPauseState(
  db: Db,
  s: { paused: boolean; reason: string | null; by: string; at: Date },
): Promise<boolean> {
  const rows = (await db.raw(
    `insert into autonomy_state (id, paused, reason, changed_by, changed_at) values (1, ?, ?, ?, ?)
     on conflict (id) do update set paused = excluded.paused, reason = excluded.reason,
       changed_by = excluded.changed_by, changed_at = excluded.changed_at
     where autonomy_state.paused is distinct from excluded.paused
     returning id`,
    [s.paused, s.reason, s.by, s.at],
  )) as { rows: unknown[] };
  return rows.rows.length > 0;
}

// The blast radius is over every incident, so these two read remediation_runs (the remediation capability's table)
// directly: no remediation repository function counts across incidents.

/** Actions the policy approved alone since `since` (undos it ran after a failed action not counted). */
export async function countAutonomousSince(db: Db, since: Date): Promise<number> {
  const row = (await db('remediation_runs')
    .where({ approved_by: 'policy' })
    .whereNull('undo_of')
    .where('approved_at', '>=', since)
    .count<{ n: string }[]>({ n: '*' })
    .first()) as { n: string | number } | undefined;
  return Number(row?.n ?? 0);
}

/** Whether another run on `service` is approved, running, or finished and awaiting its verdict. */
export async function inFlightOnService(db: Db, service: string, exceptRunId: number): Promise<boolean> {
  const row = await db('remediation_runs')
    .where({ service })
    .whereIn('status', ['approved', 'running', 'succeeded'])
    .whereNot({ id: exceptRunId })
    .first('id');
  return row !== undefined;
}

/** One decision of the autonomy table on a run. */
export interface AutonomyDecisionRow {
  incidentId: number;
  runId: number;
  action: string;
  service: string;
  category: string | null;
  mode: AutonomyMode;
  rule: string;
  check: AutonomyCheck;
  runsAlone: boolean;
  confidence: number | null;
  reason: string;
  decidedAt: Date;
}

export async function insertDecision(db: Db, d: AutonomyDecisionRow): Promise<void> {
  await db('autonomy_decisions')
    .insert({
      incident_id: d.incidentId,
      run_id: d.runId,
      action: d.action,
      service: d.service,
      category: d.category,
      mode: d.mode,
      rule: d.rule,
      check: d.check,
      runs_alone: d.runsAlone,
      confidence: d.confidence,
      reason: d.reason.slice(0, 1000),
      decided_at: d.decidedAt,
    })
    .onConflict('run_id')
    .ignore();
}

/** The autonomy table's decision on a run, if it took one. */
export async function decisionOfRun(
  db: Db,
  runId: number,
): Promise<Pick<AutonomyDecisionRow, 'mode' | 'rule' | 'check' | 'runsAlone'> | undefined> {
  const r = (await db('autonomy_decisions').where({ run_id: runId }).first()) as Record<string, unknown> | undefined;
  if (!r) return undefined;
  return {
    mode: r.mode as AutonomyMode,
    rule: r.rule as string,
    check: r.check as AutonomyCheck,
    runsAlone: r.runs_alone as boolean,
  };
}

/** The autonomy modes decided for these runs (a run the table never decided is absent). */
export async function modesOfRuns(db: Db, runIds: number[]): Promise<Map<number, AutonomyMode>> {
  if (runIds.length === 0) return new Map();
  const rows = (await db('autonomy_decisions').whereIn('run_id', runIds).select('run_id', 'mode')) as {
    run_id: number;
    mode: AutonomyMode;
  }[];
  return new Map(rows.map((r) => [r.run_id, r.mode]));
}

/** What a shadow rule would have run. */
export interface ShadowDecision {
  incidentId: number;
  runId: number;
  action: string;
  service: string;
  category: string | null;
  cause: string | null;
  rule: string;
  confidence: number | null;
  decidedAt: Date;
}

/** Records a shadow decision once per run; returns whether it was new. */
export async function insertShadowDecision(db: Db, s: ShadowDecision): Promise<boolean> {
  const rows = (await db('autonomy_shadow_decisions')
    .insert({
      incident_id: s.incidentId,
      run_id: s.runId,
      action: s.action,
      service: s.service,
      category: s.category,
      cause: s.cause,
      rule: s.rule,
      confidence: s.confidence,
      decided_at: s.decidedAt,
    })
    .onConflict('run_id')
    .ignore()
    .returning('id')) as unknown[];
  return rows.length > 0;
}

/** Shadow decisions since `since`, newest first (read by /copilot stats). */
export async function listShadowDecisions(db: Db, since: Date): Promise<Array<ShadowDecision & { id: number }>> {
  const rows = (await db('autonomy_shadow_decisions')
    .where('decided_at', '>=', since)
    .orderBy('decided_at', 'desc')) as Record<string, unknown>[];
  return rows.map((r) => ({
    id: r.id as number,
    incidentId: r.incident_id as number,
    runId: r.run_id as number,
    action: r.action as string,
    service: r.service as string,
    category: (r.category as string | null) ?? null,
    cause: (r.cause as string | null) ?? null,
    rule: r.rule as string,
    confidence: r.confidence === null ? null : Number(r.confidence),
    decidedAt: r.decided_at as Date,
  }));
}
