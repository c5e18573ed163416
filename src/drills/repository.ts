// The drill_runs table: every drill's report, and when each runbook was last drilled successfully.
import type { Knex } from 'knex';
import type { DrillReport } from './model.js';

type Db = Knex | Knex.Transaction;

export interface StoredDrill {
  id: number;
  scenario: string;
  runbook: string | null;
  outcome: string;
  diagnosisRight: boolean;
  source: string;
  requestedBy: string | null;
  report: DrillReport;
  startedAt: Date;
  createdAt: Date;
}

/** Stores one drill's report; returns its id. */
export async function recordDrill(
  db: Db,
  report: DrillReport,
  meta: { source: 'cli' | 'slack'; requestedBy?: string | null; at: Date },
): Promise<number> {
  const [row] = await db('drill_runs')
    .insert({
      scenario: report.scenario,
      runbook: report.runbook,
      outcome: report.outcome,
      diagnosis_right: report.diagnosis.right,
      source: meta.source,
      requested_by: meta.requestedBy ?? null,
      report: JSON.stringify(report),
      started_at: new Date(report.startedAt),
      created_at: meta.at,
    })
    .returning('id');
  return typeof row === 'object' ? (row as { id: number }).id : (row as number);
}

/** The newest drills first. */
export async function listDrills(db: Db, limit = 50): Promise<StoredDrill[]> {
  const rows = (await db('drill_runs').orderBy('id', 'desc').limit(limit)) as Array<Record<string, unknown>>;
  return rows.map(toStored);
}

/** One stored drill. */
export async function findDrill(db: Db, id: number): Promise<StoredDrill | undefined> {
  const row = (await db('drill_runs').where({ id }).first()) as Record<string, unknown> | undefined;
  return row ? toStored(row) : undefined;
}

function toStored(r: Record<string, unknown>): StoredDrill {
  return {
    id: r.id as number,
    scenario: r.scenario as string,
    runbook: (r.runbook as string | null) ?? null,
    outcome: r.outcome as string,
    diagnosisRight: Boolean(r.diagnosis_right),
    source: r.source as string,
    requestedBy: (r.requested_by as string | null) ?? null,
    report: (typeof r.report === 'string' ? JSON.parse(r.report) : r.report) as DrillReport,
    startedAt: new Date(r.started_at as string),
    createdAt: new Date(r.created_at as string),
  };
}

/** When each runbook was last drilled with a mitigated outcome, by runbook id. */
export async function lastSuccessfulDrills(db: Db): Promise<Map<string, Date>> {
  const rows = (await db('drill_runs')
    .where({ outcome: 'mitigated' })
    .whereNotNull('runbook')
    .groupBy('runbook')
    .select('runbook')
    .max({ at: 'started_at' })) as Array<{ runbook: string; at: string | Date }>;
  return new Map(rows.map((r) => [r.runbook, new Date(r.at)]));
}
