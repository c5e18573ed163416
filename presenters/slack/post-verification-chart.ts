// Presenter: with a remediation's verdict, a before/after chart of the SLI it was judged on, split where the fix was
// applied, against the limit the verdict used. Posted once per run; a chart that cannot be drawn never blocks the verdict.
import type { AppContext } from '../../src/context.js';
import { buildVerificationChartView } from '../../src/investigation/chart-view.js';
import { roleLabel } from '../../src/investigation/format-value.js';
import { findIncident } from '../../src/incidents/repository.js';
import { findEventByKey } from '../../src/incidents/timeline-repository.js';
import { appendTimeline, type RemediationRun } from '../../src/remediation/remediation-repository.js';
import { actionTitle } from '../../src/remediation/remediation-views.js';
import { worstPerTimestamp } from '../../src/remediation/verification.js';
import { renderChartPng } from '../charts/render-chart.js';
import { teamTimeZone } from '../charts/chart-of-metric.js';

const HOUR = 3_600_000;

/** The timeline key that makes the chart once-only per run. */
export function verificationChartKey(runId: number): string {
  return `verification-chart:${runId}`;
}

/** How many points the verify window (from the fix to the verdict) gets at least, so an "after" line is drawn. */
const AFTER_POINTS = 6;

/**
 * The range and step of the chart: from an hour before the incident opened through the whole verify window. The
 * verify window is often one metrics step long (1 min), which on the configured step's grid holds one point or none,
 * so the step is shortened until the window holds several; the end is the verdict plus a step, never past now.
 */
export function verificationChartRange(input: {
  openedAt: number;
  appliedAt: number;
  verifiedAt: number;
  now: number;
  configStepMs: number;
}): { start: number; end: number; stepMs: number } {
  const windowMs = Math.max(0, input.verifiedAt - input.appliedAt);
  const stepMs = Math.max(1000, Math.min(input.configStepMs, Math.floor(windowMs / AFTER_POINTS)));
  const end = Math.min(Math.max(input.now, input.verifiedAt), input.verifiedAt + stepMs);
  return { start: input.openedAt - HOUR, end, stepMs };
}

/**
 * Charts the verdict's SLI for the paged service from an hour before the incident opened through the verify window
 * after the fix, the fix marked. Returns false when there is nothing to chart or it was already posted.
 */
export async function postVerificationChart(ctx: AppContext, run: RemediationRun, channel: string): Promise<boolean> {
  const verdict = run.result?.verdict;
  const metrics = ctx.services.evidence.metrics;
  if (!verdict || !metrics) return false;
  if (await findEventByKey(ctx.knex, verificationChartKey(run.id))) return false;
  const incident = await findIncident(ctx.knex, run.incidentId);
  if (!incident) return false;
  const service = incident.service ?? run.service;
  const appliedAt = (run.finishedAt ?? run.startedAt ?? incident.openedAt).getTime();
  const now = ctx.clock.now().getTime();
  const range = verificationChartRange({
    openedAt: incident.openedAt.getTime(),
    appliedAt,
    verifiedAt: run.verifiedAt?.getTime() ?? now,
    now,
    configStepMs: ctx.config.file.metrics.step,
  });
  const series = await metrics.queryRole(verdict.role, service, range);
  const points = worstPerTimestamp(verdict.role, series).map(([t, v]): [number, number] => [t * 1000, v]);
  if (points.length < 2) return false;
  // The action as the catalog titles it for people ("Roll back the deploy"), not its id.
  const title = actionTitle(
    ctx.config.file.actions.find((a) => a.name === run.action),
    run.action,
  );
  const view = buildVerificationChartView({
    title: `${incident.publicId}: ${roleLabel(verdict.role)} of ${service} before and after the fix (${title})`,
    role: verdict.role,
    points,
    appliedAt,
    actionLabel: `applied: ${title}`,
    ...(verdict.limit !== null ? { limit: verdict.limit } : {}),
    timeZone: teamTimeZone(ctx, incident.team),
  });
  const png = await renderChartPng(view);
  await ctx.chat.uploadFile(channel, {
    filename: `${incident.publicId.toLowerCase()}-run-${run.id}-${verdict.role}.png`,
    title: view.title,
    content: png,
  });
  await appendTimeline(ctx.knex, {
    incidentId: run.incidentId,
    type: 'chart.posted',
    actor: 'copilot',
    dedupeKey: verificationChartKey(run.id),
    data: {
      runId: run.id,
      metric: verdict.role,
      points: points.length,
      afterPoints: points.filter(([t]) => t > appliedAt).length,
    },
    at: ctx.clock.now(),
  });
  return true;
}
