// Job: investigate an incident (deterministic, then the model when configured), store the result and its spans.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import type { JobDefinition } from '../jobs/job-queue.js';
import { PermanentJobError } from '../errors.js';
import type { InvestigationStep, PageSummary } from '../investigation/ports.js';
import { pageSummaryFromAlertmanager, pageSummaryFromPagerDuty } from '../investigation/page-summary.js';
import { budgetFromConfig, runInvestigation, windowFromConfig } from '../investigation/run-investigation.js';
import { saveSpans } from '../investigation/spans-repository.js';
import { appendEvent, findIncident, firstAlert } from './repository.js';
import { postOnsetChart } from './post-chart.js';
import { scheduleBriefingUpdate } from './update-briefing.js';

export const INVESTIGATE_JOB = 'investigate-incident';

const payloadSchema = z.object({ incidentId: z.number().int().positive() });

/** What paged, from the delivery that opened the incident; from the stored alert when the body is gone. */
export async function pageSummaryFor(ctx: AppContext, incidentId: number): Promise<PageSummary> {
  const opened = await ctx.knex('incident_events').where({ incident_id: incidentId, type: 'alert.received' }).orderBy('id', 'asc').first('data');
  const deliveryId = (opened?.data as { deliveryId?: number } | undefined)?.deliveryId;
  if (deliveryId) {
    const delivery = await ctx.knex('webhook_deliveries').where({ id: deliveryId }).first('source', 'body');
    try {
      if (delivery?.source === 'alertmanager') return pageSummaryFromAlertmanager(delivery.body);
      if (delivery?.source === 'pagerduty') return pageSummaryFromPagerDuty(delivery.body);
    } catch (err) {
      ctx.logger.warn({ err, incidentId }, 'could not read the page from its delivery; using the stored alert');
    }
  }
  const alert = await firstAlert(ctx.knex, incidentId);
  if (!alert) throw new PermanentJobError(`incident ${incidentId} has no alert to investigate`);
  const labels = alert.labels as Record<string, string>;
  const annotations = alert.annotations as Record<string, string>;
  return {
    source: alert.source === 'pagerduty' ? 'pagerduty' : 'alertmanager',
    alertname: (alert.alertname as string | null) ?? undefined,
    service: (alert.service as string | null) ?? undefined,
    severity: (alert.severity as string | null) ?? undefined,
    summary: annotations.summary,
    annotations,
    labels,
    startsAt: (alert.starts_at as Date).toISOString(),
  };
}

/**
 * Runs the investigation, stores its result on the incident and its spans, and schedules the briefing update. A
 * failed investigation is retried by the queue; the first briefing already told people what fired.
 */
export async function investigateIncident(ctx: AppContext, incidentId: number): Promise<void> {
  const incident = await findIncident(ctx.knex, incidentId);
  if (!incident) throw new PermanentJobError(`incident ${incidentId} does not exist`);
  if (incident.status === 'resolved') return;
  const page = await pageSummaryFor(ctx, incidentId);
  const steps: InvestigationStep[] = [];
  const started = Date.now();
  const file = ctx.config.file;
  const result = await runInvestigation({
    page,
    sources: ctx.services.evidence,
    now: ctx.clock.now().getTime(),
    ...(ctx.services.model ? { model: ctx.services.model, budget: budgetFromConfig(file) } : {}),
    window: windowFromConfig(file),
    record: (s) => steps.push(s),
    logger: ctx.logger,
  });
  ctx.metrics.investigationDuration.observe({ mode: ctx.services.model ? 'model' : 'deterministic' }, (Date.now() - started) / 1000);
  const investigationId = randomUUID();
  await saveSpans(ctx.knex, incidentId, investigationId, steps);
  await ctx.knex.transaction(async (trx) => {
    await trx('incidents').where({ id: incidentId }).update({ investigation: JSON.stringify(result), updated_at: ctx.clock.now() });
    await appendEvent(trx, {
      incidentId,
      type: 'investigation.completed',
      actor: 'copilot',
      data: {
        investigationId,
        novel: result.novel,
        top: result.hypotheses[0] ? { category: result.hypotheses[0].category, cause: result.hypotheses[0].cause, confidence: result.hypotheses[0].confidence } : null,
        suggestedAction: result.suggestedStep?.action ?? null,
        missing: result.missing ?? [],
      },
    });
    await scheduleBriefingUpdate(ctx, incidentId, trx);
  });
  ctx.events.emit('investigation.completed', { incidentId });
  // The chart is a nicety: failing to draw or upload it never fails the investigation.
  await postOnsetChart(ctx, incidentId).catch((err) => ctx.logger.warn({ err, incidentId }, 'could not post the metric chart'));
}

export function investigateIncidentJob(ctx: AppContext): JobDefinition<z.infer<typeof payloadSchema>> {
  return { name: INVESTIGATE_JOB, schema: payloadSchema, attempts: 3, backoffMs: 2000, process: async ({ incidentId }) => investigateIncident(ctx, incidentId) };
}
