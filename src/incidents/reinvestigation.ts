// What a re-investigation tells the thread: the hypotheses that moved (with the evidence that moved them) and the SLI
// recovering, read against what the last investigation recorded; and the periodic refresh's durable timer.
import type { Knex } from 'knex';
import type { AppContext } from '../context.js';
import type { JobToEnqueue } from '../jobs/job-queue.js';
import { formatConfidence } from '../investigation/format-value.js';
import { diffHypotheses, type HypothesisMove } from '../investigation/hypothesis-diff.js';
import type { EvidenceRef, InvestigationResult, PageSummary } from '../investigation/ports.js';
import { timerRunAt } from '../oncall/timers.js';
import { judgeRecovery, sloLimitFor, worstPerTimestamp } from '../remediation/verification.js';
import type { MovedHypothesis, MovesNote, RerunCause } from './presentations.js';
import type { Incident } from './repository.js';
import { eventsOfType, lastEventOfType, reopenCount } from './timeline-repository.js';
import { latestAlertOfFingerprint } from './alerts-repository.js';
import { pageFromAlertRow } from '../investigation/page-summary.js';

/** The job that refreshes an open incident's investigation every `incidents.reinvestigateEvery`. */
export const REINVESTIGATE_JOB = 'reinvestigate-incident';

/** What the last investigation of the incident recorded: its evidence fingerprint and whether the SLI had recovered. */
export interface LastRun {
  fingerprint: string | null;
  sliRecovered: boolean | null;
}

export async function lastRun(db: Knex | Knex.Transaction, incidentId: number): Promise<LastRun> {
  const last = await lastEventOfType(db, incidentId, 'investigation.completed');
  const data = (last?.data ?? {}) as { fingerprint?: unknown; sli?: { recovered?: unknown } | null };
  return {
    fingerprint: typeof data.fingerprint === 'string' ? data.fingerprint : null,
    sliRecovered: typeof data.sli?.recovered === 'boolean' ? data.sli.recovered : null,
  };
}

/** The pages of the incident's new leads (`alert.new_lead`: an alert pointing elsewhere), oldest first. */
export async function leadPages(ctx: AppContext, incidentId: number): Promise<PageSummary[]> {
  const pages: PageSummary[] = [];
  for (const e of await eventsOfType(ctx.knex, incidentId, 'alert.new_lead')) {
    const fingerprint = (e.data as { fingerprint?: unknown } | null)?.fingerprint;
    if (typeof fingerprint !== 'string') continue;
    const alert = await latestAlertOfFingerprint(ctx.knex, incidentId, e.actor, fingerprint);
    if (alert) pages.push(pageFromAlertRow(alert));
  }
  return pages;
}

/** Evidence cited per moved hypothesis in the note; the briefing's Show evidence has the rest. */
const EVIDENCE_PER_MOVE = 3;
/** Moves listed in one note. */
const MOVES_SHOWN = 5;

const cite = (list: EvidenceRef[]) =>
  list.slice(0, EVIDENCE_PER_MOVE).map((e) => ({ kind: e.kind, ref: e.ref, detail: e.detail }));

/** The moves as the note shows them: confidences formatted by the one formatter, a few evidence items each. */
export function movedView(moves: HypothesisMove[]): MovedHypothesis[] {
  return moves.slice(0, MOVES_SHOWN).map((m) => ({
    kind: m.kind,
    summary: m.summary,
    from: m.kind === 'new' ? null : formatConfidence(m.from),
    to: m.kind === 'ruled_out' ? null : formatConfidence(m.to),
    added: m.kind === 'ruled_out' ? [] : cite(m.added),
    removed: m.kind === 'new' ? [] : cite(m.removed),
  }));
}

/**
 * The note for a re-investigation, or null when nothing moved: no hypothesis moved and the SLI did not newly recover.
 */
export function movesNote(
  cause: RerunCause,
  before: InvestigationResult,
  after: InvestigationResult,
  recovery: { recovered: boolean | null; detail: string } | null,
  recoveredBefore: boolean | null,
): MovesNote | null {
  const moves = diffHypotheses(before.hypotheses, after.hypotheses);
  const recovered = recovery?.recovered === true && recoveredBefore !== true ? recovery.detail : null;
  if (moves.length === 0 && !recovered) return null;
  return { cause, moves: movedView(moves), recovery: recovered };
}

/** How far back the pre-incident baseline is read, and the margin before the incident opened that it skips. */
const BASELINE_SPAN_MS = 60 * 60_000;
const ONSET_MARGIN_MS = 15 * 60_000;
/** The SLI is judged over the last this-long (at least three metric steps). */
const RECENT_MS = 5 * 60_000;

/** The paged SLI's role: the page's `sli` label when it names a known role, else the service's SLO, else error_ratio. */
function sliRole(ctx: AppContext, page: PageSummary, service: string): string {
  const roles = ctx.config.file.metrics.roles;
  const labelled = page.labels.sli;
  if (labelled && roles[labelled]) return labelled;
  const slo = ctx.config.file.slos.find((s) => s.service === service);
  return slo && roles[slo.sli] ? slo.sli : 'error_ratio';
}

/**
 * Whether the paged service's SLI has recovered now: the last minutes against the pre-incident baseline (before the
 * onset), by the same rule that verifies a remediation. Null when there is no metrics source, service or data.
 */
export async function readSliRecovery(
  ctx: AppContext,
  incident: Incident,
  page: PageSummary,
  result: InvestigationResult,
): Promise<{ recovered: boolean | null; detail: string } | null> {
  const service = page.service ?? incident.service;
  const metrics = ctx.services.evidence.metrics;
  if (!service || !metrics) return null;
  const role = sliRole(ctx, page, service);
  const now = ctx.clock.now().getTime();
  const step = ctx.config.file.metrics.step;
  const baselineEnd = result.onset ?? incident.openedAt.getTime() - ONSET_MARGIN_MS;
  const recentFrom = now - Math.max(RECENT_MS, 3 * step);
  try {
    const series = await metrics.queryRole(role, service, {
      start: baselineEnd - BASELINE_SPAN_MS,
      end: now,
      stepMs: step,
    });
    // Prometheus timestamps are unix seconds.
    const points = worstPerTimestamp(role, series).map(([ts, v]) => [ts * 1000, v] as const);
    const limit = sloLimitFor(ctx.config, service, role);
    const verdict = judgeRecovery({
      role,
      before: points.filter(([t]) => t < baselineEnd).map(([, v]) => v),
      during: points.filter(([t]) => t >= baselineEnd && t < recentFrom).map(([, v]) => v),
      after: points.filter(([t]) => t >= recentFrom && t <= now).map(([, v]) => v),
      ...(limit !== undefined ? { sloLimit: limit } : {}),
    });
    return { recovered: verdict.recovered, detail: verdict.detail };
  } catch (err) {
    ctx.logger.warn({ err, incidentId: incident.id, role }, 'could not read the SLI for the re-investigation');
    return null;
  }
}

/**
 * Arms the next periodic refresh: a timer `incidents.reinvestigateEvery` from now on the product's clock, recorded in
 * Postgres (it survives a restart). Its id carries the incident's reopen cycle and a sequence number, so a retried or
 * doubled run arms one timer, and a chain from before a reopen stops.
 */
export async function armRefresh(
  ctx: AppContext,
  incidentId: number,
  seq: number,
  trx?: Knex.Transaction,
): Promise<void> {
  const job = await refreshJob(ctx, incidentId, seq, trx);
  if (job) await ctx.queue.enqueue(job.name, job.payload, { ...job.opts, ...(trx ? { trx } : {}) });
}

/** The timer `armRefresh` would record (none when refreshing is off), to enqueue with other jobs in one statement. */
export async function refreshJob(
  ctx: AppContext,
  incidentId: number,
  seq: number,
  trx?: Knex.Transaction,
  /** The incident's reopen count when the caller read it already (no read of it here). */
  reopens?: number,
): Promise<JobToEnqueue | undefined> {
  const every = ctx.config.file.incidents.reinvestigateEvery;
  if (!(every > 0)) return undefined;
  const cycle = reopens ?? (await reopenCount(trx ?? ctx.knex, incidentId));
  const at = new Date(ctx.clock.now().getTime() + every);
  // A clock that maps its timers (the local world's, a test's) says when that is in real time. Any other clock is
  // read as real time, and the refresh never comes sooner than `every` of real time: a clock standing still in the
  // past would otherwise make it spin.
  const mapped = timerRunAt(ctx.clock, at);
  const runAt = 'timerAt' in ctx.clock ? mapped : new Date(Math.max(mapped.getTime(), Date.now() + every));
  return {
    name: REINVESTIGATE_JOB,
    payload: { incidentId, cycle, seq },
    opts: { jobId: `reinvestigate-incident-${incidentId}-c${cycle}-${seq}`, runAt },
  };
}
