// The measure tables: incident_outcomes, hypothesis_outcomes, copilot_summaries and calibration_fits. The shadow
// decisions are autonomy's (autonomy_shadow_decisions); they are read here, joined with the outcomes, because only
// the confirmed root cause says whether a shadow decision was right.
import type { Knex } from 'knex';
import type { ActionAlone, MitigationClass } from './classify.js';
import type { OutcomeRow, ShadowRow } from './figures.js';
import type { ShadowGuess } from './score.js';
import type { HypothesisOutcome } from './score.js';

type Db = Knex | Knex.Transaction;

export interface OutcomeInput {
  incidentId: number;
  class: MitigationClass;
  category: string;
  service: string | null;
  cause: string | null;
  openedAt: Date;
  mitigatedAt: Date | null;
  resolvedAt: Date;
  timeToMitigateMs: number;
  predicted: string | null;
  confidence: number | null;
  top1: boolean | null;
  top3: boolean | null;
  actionsAlone: ActionAlone[];
  recordedAt: Date;
}

/**
 * Stores an incident's outcome and its hypotheses' scores in one transaction; a resolve of a reopened incident
 * replaces them. Returns false when this resolve was already stored (a retried job stores it once).
 */
export async function saveOutcome(
  knex: Knex,
  o: OutcomeInput,
  hypotheses: readonly HypothesisOutcome[],
  actual: { category: string; service: string | null },
): Promise<boolean> {
  return knex.transaction(async (trx) => {
    const existing = (await trx('incident_outcomes').where({ incident_id: o.incidentId }).first('resolved_at')) as
      { resolved_at: Date } | undefined;
    if (existing && new Date(existing.resolved_at).getTime() === o.resolvedAt.getTime()) return false;
    await trx('incident_outcomes').where({ incident_id: o.incidentId }).delete();
    await trx('hypothesis_outcomes').where({ incident_id: o.incidentId }).delete();
    await trx('incident_outcomes').insert({
      incident_id: o.incidentId,
      class: o.class,
      category: o.category,
      service: o.service,
      cause: o.cause,
      opened_at: o.openedAt,
      mitigated_at: o.mitigatedAt,
      resolved_at: o.resolvedAt,
      time_to_mitigate_ms: o.timeToMitigateMs,
      predicted: o.predicted,
      confidence: o.confidence,
      top1: o.top1,
      top3: o.top3,
      actions_alone: JSON.stringify(o.actionsAlone),
      recorded_at: o.recordedAt,
    });
    if (hypotheses.length)
      await trx('hypothesis_outcomes').insert(
        hypotheses.map((h) => ({
          incident_id: o.incidentId,
          rank: h.rank,
          category: h.category,
          service: h.service,
          cause: h.cause,
          confidence: h.confidence,
          actual_category: actual.category,
          actual_service: actual.service,
          category_right: h.categoryRight,
          service_right: h.serviceRight,
          scored_at: o.recordedAt,
        })),
      );
    return true;
  });
}

/** The outcomes of the incidents resolved in [from, to), with each incident's public id and title. */
export async function outcomesBetween(db: Db, from: Date, to: Date): Promise<OutcomeRow[]> {
  // Joins incidents for the public id and title people read in stats and the summary.
  const rows = (await db('incident_outcomes as o')
    .join('incidents as i', 'i.id', 'o.incident_id')
    .where('o.resolved_at', '>=', from)
    .andWhere('o.resolved_at', '<', to)
    .orderBy('o.resolved_at', 'asc')
    .select('o.*', 'i.public_id', 'i.title')) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    incidentId: r.incident_id as number,
    publicId: r.public_id as string,
    title: r.title as string,
    class: r.class as MitigationClass,
    category: r.category as string,
    service: (r.service as string | null) ?? null,
    timeToMitigateMs: Number(r.time_to_mitigate_ms),
    predicted: (r.predicted as string | null) ?? null,
    confidence: r.confidence === null ? null : Number(r.confidence),
    top1: (r.top1 as boolean | null) ?? null,
    top3: (r.top3 as boolean | null) ?? null,
    actionsAlone: (r.actions_alone as ActionAlone[] | null) ?? [],
    resolvedAt: new Date(r.resolved_at as Date),
  }));
}

/** The ids of every incident with a scored answer (a known confirmed category), oldest resolve first. */
export async function scoredIncidentIds(db: Db): Promise<number[]> {
  const rows = (await db('incident_outcomes')
    .whereNotNull('top1')
    .orderBy('resolved_at', 'asc')
    .select('incident_id')) as Array<{ incident_id: number }>;
  return rows.map((r) => r.incident_id);
}

/** The outcome of one incident, if recorded. */
export async function outcomeOf(
  db: Db,
  incidentId: number,
): Promise<{ category: string; service: string | null; cause: string | null; top1: boolean | null } | undefined> {
  const r = (await db('incident_outcomes').where({ incident_id: incidentId }).first()) as
    Record<string, unknown> | undefined;
  return r
    ? {
        category: r.category as string,
        service: (r.service as string | null) ?? null,
        cause: (r.cause as string | null) ?? null,
        top1: (r.top1 as boolean | null) ?? null,
      }
    : undefined;
}

/**
 * The shadow decisions taken in [from, to), each judged against its incident's confirmed root cause when there is
 * one: right when the category it acted on was the confirmed one (autonomy's own verdict, when it recorded one, wins).
 * Empty when autonomy's table does not exist.
 */
export async function shadowDecisionsBetween(db: Db, from: Date, to: Date): Promise<ShadowRow[]> {
  if (!(await db.schema.hasTable('autonomy_shadow_decisions'))) return [];
  const rows = (await db('autonomy_shadow_decisions as s')
    .leftJoin('incident_outcomes as o', 'o.incident_id', 's.incident_id')
    .where('s.decided_at', '>=', from)
    .andWhere('s.decided_at', '<', to)
    .select('s.action', 's.category', 's.outcome_right', 'o.category as actual')) as Array<{
    action: string;
    category: string | null;
    outcome_right: boolean | null;
    actual: string | null;
  }>;
  return rows.map((r) => ({
    action: r.action,
    category: r.category,
    right: r.outcome_right ?? (r.actual && r.actual !== 'unknown' && r.category ? r.category === r.actual : null),
  }));
}

/**
 * Scores the incident's shadow decisions not yet scored (autonomy_shadow_decisions' outcome fields), each with
 * `score`; returns how many were scored. Nothing when autonomy's table does not exist.
 */
export async function scoreShadowDecisionsOf(
  db: Db,
  incidentId: number,
  score: (s: ShadowGuess) => { right: boolean | null; outcome: string },
  at: Date,
): Promise<number> {
  if (!(await db.schema.hasTable('autonomy_shadow_decisions'))) return 0;
  const rows = (await db('autonomy_shadow_decisions')
    .where({ incident_id: incidentId })
    .whereNull('outcome_at')
    .select('id', 'action', 'service', 'category')) as Array<ShadowGuess & { id: number }>;
  for (const r of rows) {
    const { right, outcome } = score(r);
    await db('autonomy_shadow_decisions')
      .where({ id: r.id })
      .whereNull('outcome_at')
      .update({ outcome_right: right, outcome, outcome_at: at });
  }
  return rows.length;
}

/** Records the week's summary as posted; false when this slot was already posted (a retry, another replica). */
export async function claimSummarySlot(
  db: Db,
  slot: string,
  channel: string,
  figures: unknown,
  at: Date,
): Promise<boolean> {
  const rows = (await db('copilot_summaries')
    .insert({ slot, channel, figures: JSON.stringify(figures), posted_at: at })
    .onConflict('slot')
    .ignore()
    .returning('slot')) as unknown[];
  return rows.length > 0;
}

export async function setSummaryTs(db: Db, slot: string, ts: string): Promise<void> {
  await db('copilot_summaries').where({ slot }).update({ ts });
}

export async function summaryPosted(db: Db, slot: string): Promise<{ ts: string | null } | undefined> {
  return (await db('copilot_summaries').where({ slot }).first('ts')) as { ts: string | null } | undefined;
}

/** The stored summary of a slot: the view to post, and the message's ts once posted. */
export async function summaryOf(db: Db, slot: string): Promise<{ view: unknown; ts: string | null } | undefined> {
  const r = (await db('copilot_summaries').where({ slot }).first('figures', 'ts')) as
    { figures: unknown; ts: string | null } | undefined;
  return r ? { view: r.figures, ts: r.ts } : undefined;
}

/** The confidence calibration refit from incidents, newest first. */
export interface CalibrationFit {
  known: number[];
  novel: number[];
  knownSamples: number;
  novelSamples: number;
  source: string;
  fittedAt: Date;
}

export async function saveCalibrationFit(db: Db, fit: CalibrationFit): Promise<void> {
  await db('calibration_fits').insert({
    known: JSON.stringify(fit.known),
    novel: JSON.stringify(fit.novel),
    known_samples: fit.knownSamples,
    novel_samples: fit.novelSamples,
    source: fit.source,
    fitted_at: fit.fittedAt,
  });
}

export async function latestCalibrationFit(db: Db): Promise<CalibrationFit | undefined> {
  return toCalibrationFit((await db('calibration_fits').orderBy('id', 'desc').first()) as Record<string, unknown>);
}

/** A `calibration_fits` row (or its `row_to_json`) as a fit. */
export function toCalibrationFit(r: Record<string, unknown> | undefined | null): CalibrationFit | undefined {
  return r
    ? {
        known: r.known as number[],
        novel: r.novel as number[],
        knownSamples: r.known_samples as number,
        novelSamples: r.novel_samples as number,
        source: r.source as string,
        fittedAt: new Date(r.fitted_at as Date),
      }
    : undefined;
}
