// SLO evaluations in Postgres (table slo_evaluations): one row per SLO per evaluation, and the latest one per SLO
// for the readers (`/slo`, the deploy gate, the briefing).
import type { Knex } from 'knex';
import type { WindowBurnReading } from './budget-source.js';

/** The bad share and burn rate over one window; null without data. */
/** One window's bad share and burn rate (the shape the error-budget policy reads too). */
export type WindowBurn = WindowBurnReading;

/** page when a page window pair fired, ticket when only a ticket pair did, none when neither, unknown without data. */
export type BurnLevel = 'page' | 'ticket' | 'none' | 'unknown';

/** One evaluation of one SLO. */
export interface SloEvaluation {
  sloId: string;
  service: string;
  evaluatedAt: Date;
  objective: number;
  periodMs: number;
  /** Share of the period's budget left: 1 untouched, 0 spent, negative overspent; null without data. */
  budgetRemaining: number | null;
  windows: WindowBurn[];
  level: BurnLevel;
  incidentId: number | null;
  error: string | null;
}

type Row = Record<string, unknown>;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toEvaluation(r: Row): SloEvaluation {
  return {
    sloId: r.slo_id as string,
    service: r.service as string,
    evaluatedAt: new Date(r.evaluated_at as Date),
    objective: Number(r.objective),
    periodMs: Number(r.period_ms),
    budgetRemaining: num(r.budget_remaining),
    windows: (typeof r.windows === 'string' ? JSON.parse(r.windows) : r.windows) as WindowBurn[],
    level: r.level as BurnLevel,
    incidentId: num(r.incident_id),
    error: (r.error as string | null) ?? null,
  };
}

/** Records one evaluation. */
export async function insertEvaluation(knex: Knex, e: SloEvaluation): Promise<void> {
  await knex('slo_evaluations').insert({
    slo_id: e.sloId,
    service: e.service,
    evaluated_at: e.evaluatedAt,
    objective: e.objective,
    period_ms: e.periodMs,
    budget_remaining: e.budgetRemaining,
    windows: JSON.stringify(e.windows),
    level: e.level,
    incident_id: e.incidentId,
    error: e.error,
  });
}

/** The latest evaluation of an SLO (by its id, `<service>-<name>`), or undefined before the first one. */
export async function latestBudget(knex: Knex, sloId: string): Promise<SloEvaluation | undefined> {
  const row = (await knex('slo_evaluations')
    .where({ slo_id: sloId })
    .orderBy([
      { column: 'evaluated_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .first()) as Row | undefined;
  return row ? toEvaluation(row) : undefined;
}

/** The latest evaluation of every SLO of a service (all services without one). */
export async function latestBudgets(knex: Knex, service?: string): Promise<SloEvaluation[]> {
  const q = knex('slo_evaluations')
    .distinctOn('slo_id')
    .orderBy([
      { column: 'slo_id', order: 'asc' },
      { column: 'evaluated_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
  if (service) q.where({ service });
  return ((await q.select('*')) as Row[]).map(toEvaluation);
}

/** Deletes evaluations older than `before` (the job keeps a bounded history). */
export async function pruneEvaluations(knex: Knex, before: Date): Promise<number> {
  return knex('slo_evaluations').where('evaluated_at', '<', before).delete();
}
