// Job (a timer armed when a run succeeds): re-reads the SLI over the verify window and says whether the action helped.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { PermanentJobError } from '../../errors.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { firstAlertLabels } from '../../incidents/alerts-repository.js';
import { mitigateIncident } from '../../incidents/transitions.js';
import { requestPresentation } from '../../jobs/presentations.js';
import { AutonomousRunJudged, autonomousRunJudgedJobId } from '../../autonomy/follow-up.js';
import { PostRemediationVerdict, remediationVerdictJobId } from '../presentations.js';
import {
  appendTimeline,
  getIncidentForRemediation,
  getRun,
  saveRunResult,
  transitionRun,
  type IncidentForRemediation,
  type RemediationRun,
} from '../remediation-repository.js';
import { judgeRecovery, sloLimitFor, worstPerTimestamp, type RecoveryVerdict } from '../verification.js';
import { recordRunSpan } from '../run-spans.js';

export const verifyRemediationPayload = z.object({ runId: z.number().int().positive() });
export type VerifyRemediationPayload = z.infer<typeof verifyRemediationPayload>;

/** A timer armed when a run succeeds, due once its verify window has passed. */
export const VerifyRemediation = { name: 'verify-remediation', schema: verifyRemediationPayload } as const;

/** One verification timer per remediation run. */
export function verifyRemediationJobId(runId: number): string {
  return `verify-remediation:${runId}`;
}

/** How far back the pre-incident baseline is read, and the margin before the incident opened that it skips. */
const BASELINE_SPAN_MS = 60 * 60_000;
const ONSET_MARGIN_MS = 15 * 60_000;

/** The SLI role to re-read: the page's `sli` label when it names a known role, else the service's SLO, else error_ratio. */
export async function verificationRole(
  ctx: AppContext,
  incident: IncidentForRemediation,
  service: string,
): Promise<string> {
  const roles = ctx.config.file.metrics.roles;
  const labelled = (await firstAlertLabels(ctx.knex, incident.id))?.sli;
  if (typeof labelled === 'string' && roles[labelled]) return labelled;
  const slo = ctx.config.file.slos.find((s) => s.service === service);
  if (slo && roles[slo.sli]) return slo.sli;
  return 'error_ratio';
}

/** The SLI around the incident as read for a verdict, or why it could not be read. */
export type SliReading =
  | { ok: true; role: string; service: string; points: Array<[number, number]> }
  | { ok: false; role: string; service: string; detail: string };

/** Reads the paged service's SLI from before the incident (its baseline) until now, the worst value per step. */
export async function readSli(
  ctx: AppContext,
  run: RemediationRun,
  incident: IncidentForRemediation,
): Promise<SliReading> {
  // The triggering SLI is the paged service's: the acted-on service may be a database or a vendor with no SLI of its
  // own, and a fix is judged by whether what paged got better.
  const service = incident.service ?? run.service;
  const role = await verificationRole(ctx, incident, service);
  const metrics = ctx.services.evidence.metrics;
  if (!metrics)
    return {
      ok: false,
      role,
      service,
      detail: `No metrics source is configured (PROMETHEUS_URL), so ${role} could not be read.`,
    };
  try {
    const series = await metrics.queryRole(role, service, {
      start: incident.openedAt.getTime() - ONSET_MARGIN_MS - BASELINE_SPAN_MS,
      end: ctx.clock.now().getTime(),
      stepMs: ctx.config.file.metrics.step,
    });
    // Prometheus timestamps are unix seconds: the points are kept in ms.
    return { ok: true, role, service, points: worstPerTimestamp(role, series).map(([ts, v]) => [ts * 1000, v]) };
  } catch (err) {
    ctx.logger.warn({ err, runId: run.id, role }, 'could not read the SLI to verify a remediation');
    return {
      ok: false,
      role,
      service,
      detail: `Reading ${role} failed: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

/** The SLI's readings over the last two steps up to the action's start: was it still bad when the action began? */
export function readingsAtAction(ctx: AppContext, run: RemediationRun, points: Array<[number, number]>): number[] {
  const startedAt = run.startedAt?.getTime();
  if (startedAt === undefined) return [];
  const lookBack = 2 * Math.max(ctx.config.file.metrics.step, 1000);
  return points.filter(([at]) => at <= startedAt && at > startedAt - lookBack).map(([, v]) => v);
}

/** When the action took effect: when it finished (else started, else now). */
export function actedAtOf(ctx: AppContext, run: RemediationRun): number {
  return (run.finishedAt ?? run.startedAt ?? ctx.clock.now()).getTime();
}

/** Reads the SLI around the incident and judges recovery; a missing or failing metrics source gives "unknown". */
export async function readVerdict(
  ctx: AppContext,
  run: RemediationRun,
  incident: IncidentForRemediation,
): Promise<RecoveryVerdict & { role: string }> {
  const sli = await readSli(ctx, run, incident);
  const { role, service } = sli;
  if (!sli.ok) return { role, recovered: null, value: null, limit: null, detail: sli.detail };
  const { points } = sli;
  const now = ctx.clock.now().getTime();
  const opened = incident.openedAt.getTime();
  const actedAt = actedAtOf(ctx, run);
  const atAction = readingsAtAction(ctx, run, points);
  const verdict = judgeRecovery({
    role,
    ...(run.startedAt ? { atAction } : {}),
    before: points.filter(([at]) => at < opened - ONSET_MARGIN_MS).map(([, v]) => v),
    during: points.filter(([at]) => at >= opened - ONSET_MARGIN_MS && at <= actedAt).map(([, v]) => v),
    after: points.filter(([at]) => at > actedAt && at <= now).map(([, v]) => v),
    ...(sloLimitFor(ctx.config, service, role) !== undefined
      ? { sloLimit: sloLimitFor(ctx.config, service, role)! }
      : {}),
  });
  return { ...verdict, role };
}

/** The `verify-remediation` job. */
export function verifyRemediationJob(ctx: AppContext): JobDefinition<VerifyRemediationPayload> {
  return defineJob({
    ...VerifyRemediation,
    attempts: 5,
    backoffMs: 5000,
    async process({ runId }) {
      const run = await getRun(ctx.knex, runId);
      if (!run) throw new PermanentJobError(`remediation run ${runId} does not exist`);
      const incident = await getIncidentForRemediation(ctx.knex, run.incidentId);
      if (!incident)
        throw new PermanentJobError(`incident ${run.incidentId} of remediation run ${runId} does not exist`);
      if (run.status !== 'succeeded') {
        // Judged already: a retry after the verdict was recorded only finishes what is missing.
        if (
          (run.status === 'verified' || run.status === 'not_recovered') &&
          run.result?.verdict &&
          !run.result.verdictPosted
        ) {
          await settle(ctx, run, run.result.verdict);
        }
        return;
      }
      const verifyStarted = Date.now();
      const verdict = await readVerdict(ctx, run, incident);
      await recordVerdict(ctx, run, verdict, verifyStarted);
    },
  });
}

/**
 * Records the verdict of a run still awaiting it (once: a run judged meanwhile, by the verify timer or by the
 * fast-burn watch, is left alone), puts it on the timeline, then settles it (mitigates, posts, hands an action run
 * alone to src/autonomy). Returns whether this call judged it.
 */
export async function recordVerdict(
  ctx: AppContext,
  run: RemediationRun,
  verdict: RecoveryVerdict & { role: string },
  verifyStarted: number = Date.now(),
): Promise<boolean> {
  const now = ctx.clock.now();
  const recovered = verdict.recovered === true;
  const stored = {
    recovered: verdict.recovered,
    role: verdict.role,
    value: verdict.value,
    limit: verdict.limit,
    detail: verdict.detail,
    ...(verdict.credited === false ? { credited: false } : {}),
  };
  const notCredited = verdict.credited === false;
  const judged = await ctx.knex.transaction(async (trx) => {
    const updated = await transitionRun(
      trx,
      run.id,
      ['succeeded'],
      recovered ? 'verified' : 'not_recovered',
      { verified_at: now, result: { ...(run.result ?? {}), verdict: stored } },
      now,
    );
    if (!updated) return undefined;
    await appendTimeline(trx, {
      incidentId: run.incidentId,
      type: notCredited ? 'remediation.not_credited' : recovered ? 'remediation.verified' : 'remediation.not_recovered',
      actor: 'copilot',
      at: now,
      data: { runId: run.id, action: run.action, ...stored },
      dedupeKey: `remediation:${run.id}:verified`,
    });
    const spans = await recordRunSpan(trx, ctx.logger, run, {
      kind: 'verification',
      startedAt: verifyStarted,
      attributes: {
        'copilot.verification.recovered': verdict.recovered,
        'copilot.verification.role': verdict.role,
        ...(verdict.value !== null ? { 'copilot.verification.value': verdict.value } : {}),
        ...(verdict.limit !== null ? { 'copilot.verification.limit': verdict.limit } : {}),
        'copilot.verification.detail': verdict.detail,
      },
    });
    return { updated, spans };
  });
  if (!judged) return false;
  ctx.services.traces?.export(judged.spans);
  ctx.events.emit('remediation.verified', { incidentId: run.incidentId, actionRunId: run.id, recovered });
  await settle(ctx, judged.updated, stored);
  return true;
}

/**
 * After the verdict is committed: mitigates the incident when it recovered (applies once), then asks for the verdict
 * to be shown. A retry after a crash lands here again and finishes what is missing.
 */
async function settle(
  ctx: AppContext,
  run: RemediationRun,
  verdict: NonNullable<NonNullable<RemediationRun['result']>['verdict']>,
): Promise<void> {
  // A healthy SLI mitigates the incident either way; one that recovered before the action is not put down to it.
  if (verdict.recovered === true)
    await mitigateIncident(ctx, run.incidentId, {
      id: 'copilot',
      via: verdict.credited === false ? 'sli_recovered' : 'remediation',
    });
  await requestPresentation(ctx, PostRemediationVerdict, { runId: run.id }, { jobId: remediationVerdictJobId(run.id) });
  // An action the copilot ran alone: src/autonomy says what it did, or undoes it and pages the on-call.
  if (run.approvedBy === 'policy' && run.undoOf === null)
    await ctx.queue.enqueue(AutonomousRunJudged.name, { runId: run.id }, { jobId: autonomousRunJudgedJobId(run.id) });
  await saveRunResult(ctx.knex, run.id, { ...(run.result ?? {}), verdict, verdictPosted: true });
}
