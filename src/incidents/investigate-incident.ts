// Use case: investigate an incident (deterministic, then the model when configured), store the result and its spans.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { PermanentJobError } from '../errors.js';
import type { Hypothesis, InvestigationResult, InvestigationStep, PageSummary } from '../investigation/ports.js';
import { pageFromAlertRow, pageFromDeclaration } from '../investigation/page-summary.js';
import { budgetFromConfig, runInvestigation, windowFromConfig } from '../investigation/run-investigation.js';
import { evidenceRange } from '../investigation/investigate.js';
import { readsChangeEvents, withPrefetchedChangeEvents } from '../intake/change-events-source.js';
import { investigationTraceSteps } from '../investigation/trace-spans.js';
import { latestAlertOfFingerprint } from './alerts-repository.js';
import { findIncident, type Incident } from './repository.js';
import { loadForInvestigation, recordInvestigation } from './investigation-repository.js';
import { teamZone } from './onset.js';
import { firstAlert } from './alerts-repository.js';
import { declaredSummary, lastEventOfType } from './timeline-repository.js';
import type { JobToEnqueue } from '../jobs/job-queue.js';
import { presentationJob } from '../jobs/presentations.js';
import { briefingUpdateJob, PostIncidentNote, type RerunCause, type WhatChanged } from './presentations.js';
import { evidenceFingerprint } from '../investigation/hypothesis-diff.js';
import { lastRun, leadPages, movesNote, readSliRecovery, refreshJob } from './reinvestigation.js';

/**
 * Why an incident is investigated again: the same alert fired again and reopened it, a new alert points elsewhere, or
 * an alert of the open incident fired again after every alert had resolved (the fix did not hold, or a new failure).
 */
export const alertTriggerSchema = z.object({
  reason: z.enum(['reopened', 'new_alert', 'fired_again']),
  source: z.enum(['alertmanager', 'pagerduty', 'slo']),
  fingerprint: z.string().min(1),
});
/**
 * Or the evidence moved without an alert: a deploy or change event of the incident's service arrived, the periodic
 * refresh came due (`incidents.reinvestigateEvery`; skipped when the evidence fingerprint is the last run's), or
 * someone asked (`/incident reinvestigate`).
 */
export const triggerSchema = z.union([
  alertTriggerSchema,
  z.object({ reason: z.enum(['deploy', 'change']), eventId: z.string().min(1), service: z.string() }),
  z.object({ reason: z.literal('refresh') }),
  z.object({ reason: z.literal('manual'), by: z.string().optional() }),
]);
export type InvestigationTrigger = z.infer<typeof triggerSchema>;
export type AlertTrigger = z.infer<typeof alertTriggerSchema>;

const isAlertTrigger = (t: InvestigationTrigger | undefined): t is AlertTrigger => Boolean(t && 'fingerprint' in t);

/**
 * What to investigate: the alert that asked for it (a reopen, a new lead), else the page stored with the incident
 * when it opened (parsed once at intake, or declared); an incident opened before pages were stored falls back to its
 * first alert, else its declaration.
 */
export async function pageSummaryFor(
  ctx: AppContext,
  incidentId: number,
  trigger?: InvestigationTrigger,
  /** The incident when the caller has it loaded already (one statement fewer). */
  loaded?: Incident,
): Promise<PageSummary> {
  if (isAlertTrigger(trigger)) {
    const alert = await latestAlertOfFingerprint(ctx.knex, incidentId, trigger.source, trigger.fingerprint);
    if (alert) return pageFromAlertRow(alert);
  }
  const incident = loaded ?? (await findIncident(ctx.knex, incidentId));
  if (!incident) throw new PermanentJobError(`incident ${incidentId} does not exist`);
  if (incident.page) return incident.page;
  const alert = await firstAlert(ctx.knex, incidentId);
  if (alert) return pageFromAlertRow(alert);
  return pageFromDeclaration(incident, await declaredSummary(ctx.knex, incidentId));
}

/**
 * Runs the investigation, stores its result on the incident and its spans, and schedules the briefing update. A
 * failed investigation is retried by the queue; the first briefing already told people what fired. An incident
 * investigated before hears, under its briefing, which hypotheses moved and why (and an SLI recovery); a periodic
 * refresh that finds the same evidence as the last run stores nothing and says nothing. Returns whether it stored a
 * result.
 */
export async function investigateIncident(
  ctx: AppContext,
  incidentId: number,
  trigger?: InvestigationTrigger,
  /** Run by this job: the statement storing the result marks it completed too (nothing after it can fail). */
  run: { completeJob?: string } = {},
): Promise<'stored' | 'unchanged' | 'resolved'> {
  // The instant it looks back from, on the product's clock: recorded with the result, so it can be replayed.
  const lookedAt = ctx.clock.now().getTime();
  // The incident, its reopen count, the newest calibration fit and the deploys and changes of the window the
  // investigation reads (when the evidence reads the change_events table) in one statement.
  const window = readsChangeEvents(ctx.services.evidence.changes) ? evidenceRange(lookedAt) : undefined;
  const loaded = await loadForInvestigation(ctx.knex, incidentId, window);
  if (!loaded) throw new PermanentJobError(`incident ${incidentId} does not exist`);
  const { incident, reopens, fit, changeEvents } = loaded;
  if (incident.status === 'resolved') return 'resolved';
  // A mitigated incident's diagnosis is the one its fix acted on: the periodic refresh would read a world the fix
  // changed and could adopt whatever else is failing (another incident's cause) as this one's, and the resolve form,
  // scoring and export would follow it. A new alert, a deploy or change of its services, or a person asking, still
  // investigates it again.
  if (trigger?.reason === 'refresh' && incident.status === 'mitigated') return 'unchanged';
  // Nor while a fix is under way (approved, running, or awaiting its verdict): the world it reads is the one the fix
  // is changing, and its verdict decides what comes next.
  if (trigger?.reason === 'refresh' && (await fixUnderWay(ctx, incidentId))) return 'unchanged';
  const page = await pageSummaryFor(ctx, incidentId, trigger, incident);
  const alertTrigger = isAlertTrigger(trigger) ? trigger : undefined;
  const previous = alertTrigger ? await lastTopHypothesis(ctx, incidentId) : null;
  const steps: InvestigationStep[] = [];
  const started = Date.now();
  const file = ctx.config.file;
  // Only `calibrate --from-incidents` writes a fit (read with the incident); without one the built-in weights stand.
  // The deploys and changes read with the incident answer the change-events source for that window.
  const prefetched =
    window && changeEvents ? { knex: ctx.knex, start: window.start, end: window.end, rows: changeEvents } : undefined;
  const investigate = (p: PageSummary) => {
    const run = () =>
      runInvestigation({
        page: p,
        sources: ctx.services.evidence,
        now: lookedAt,
        timeZone: teamZone(file, incident.team),
        ...(ctx.services.model ? { model: ctx.services.model, budget: budgetFromConfig(file) } : {}),
        window: windowFromConfig(file),
        record: (s) => steps.push(s),
        logger: ctx.logger,
        ...(fit ? { calibration: fit } : {}),
      });
    return prefetched ? withPrefetchedChangeEvents(prefetched, run) : run();
  };
  let found = await investigate(page);
  // A run about no one alert (a deploy, the refresh, a manual run) investigates the page and each lead the incident
  // had, merged as the leads were, so it does not drop what a lead found.
  if (!alertTrigger && incident.investigation)
    for (const lead of await leadPages(ctx, incidentId)) found = mergeInvestigations(found, await investigate(lead));
  ctx.metrics.investigationDuration.observe(
    { mode: ctx.services.model ? 'model' : 'deterministic' },
    (Date.now() - started) / 1000,
  );
  // A new lead adds to what the open incident already knows; a reopen starts afresh (its old result was cleared).
  const result =
    trigger?.reason === 'new_alert' && incident.investigation
      ? mergeInvestigations(incident.investigation, found)
      : found;
  const sli = await readSliRecovery(ctx, incident, page, result);
  const fingerprint = evidenceFingerprint(result, sli?.recovered ?? null);
  // What the last run recorded matters to a refresh and to an incident that has a result to compare with.
  const last =
    trigger?.reason === 'refresh' || incident.investigation
      ? await lastRun(ctx.knex, incidentId)
      : { fingerprint: null, sliRecovered: null };
  // A refresh that found what the last run found changes nothing: no result, no note, no briefing edit.
  if (trigger?.reason === 'refresh' && last.fingerprint === fingerprint) return 'unchanged';
  const moved = incident.investigation
    ? movesNote(rerunCause(trigger, page), incident.investigation, result, sli, last.sliRecovered)
    : null;
  const investigationId = randomUUID();
  const traceSteps = investigationTraceSteps({
    steps,
    result,
    startedAt: started,
    endedAt: Date.now(),
    trigger: trigger?.reason ?? 'opened',
  });
  const top = result.hypotheses[0]?.summary ?? null;
  const change: WhatChanged | null = alertTrigger
    ? {
        reason: alertTrigger.reason,
        alertname: page.alertname ?? null,
        service: page.service ?? null,
        from: previous ?? null,
        to: top,
      }
    : null;
  const at = ctx.clock.now();
  // The notes, the briefing update and the refresh's timer are recorded with the result, in one statement.
  const jobs: JobToEnqueue[] = [];
  // The thread hears what changed since the last investigation; the briefing shows the same line.
  if (change)
    jobs.push(
      presentationJob(
        PostIncidentNote,
        { incidentId, note: { kind: 'what_changed', change } },
        { jobId: `what-changed:${investigationId}` },
      ),
    );
  // Under the briefing: which hypotheses moved and the evidence that moved them, and an SLI recovery.
  if (moved)
    jobs.push(
      presentationJob(
        PostIncidentNote,
        { incidentId, note: { kind: 'moved', moved } },
        { jobId: `moved:${investigationId}` },
      ),
    );
  jobs.push(briefingUpdateJob(incidentId));
  // The first investigation (and the first after a reopen) starts the periodic refresh.
  if (!trigger || trigger.reason === 'reopened') {
    const refresh = await refreshJob(ctx, incidentId, 1, undefined, reopens);
    if (refresh) jobs.push(refresh);
  }
  const planned = jobs.map(({ name, payload, opts: { jobId, ...opts } = {} }) => ({
    id: jobId ?? randomUUID(),
    ...ctx.queue.plan(name, payload, opts),
  }));
  const recorded = await recordInvestigation(
    ctx.knex,
    {
      incidentId,
      result,
      at,
      event: {
        investigationId,
        lookedAt: new Date(lookedAt).toISOString(),
        ...(trigger ? { trigger } : {}),
        ...(change ? { whatChanged: change } : {}),
        ...(moved ? { moved } : {}),
        fingerprint,
        sli,
        novel: result.novel,
        top: result.hypotheses[0]
          ? {
              category: result.hypotheses[0].category,
              cause: result.hypotheses[0].cause,
              confidence: result.hypotheses[0].confidence,
              summary: result.hypotheses[0].summary,
            }
          : null,
        suggestedAction: result.suggestedStep?.action ?? null,
        missing: result.missing ?? [],
      },
      jobs: planned,
      // The spans go with the result (one statement): a retry after a crash stores neither twice.
      spans: { investigationId, steps: traceSteps },
    },
    run.completeJob,
  );
  if (!recorded) throw new PermanentJobError(`incident ${incidentId} does not exist`);
  ctx.services.traces?.export(recorded.spans);
  ctx.queue.announce(planned);
  // The chat presenter posts the onset chart on this event (with the incident as it now is: no read of it again), and
  // remediation proposes from it (its timeline entry says whether the result was novel).
  ctx.events.emit('investigation.completed', {
    incidentId,
    incident: recorded.incident,
    completedEventId: recorded.eventId,
    novel: result.novel === true,
  });
  return 'stored';
}

/** Why the investigation ran again, as the note says it (the alert, deploy or change that asked, or who). */
function rerunCause(trigger: InvestigationTrigger | undefined, page: PageSummary): RerunCause {
  if (!trigger) return { reason: 'manual', ref: null, service: null };
  switch (trigger.reason) {
    case 'deploy':
    case 'change':
      return { reason: trigger.reason, ref: trigger.eventId, service: trigger.service };
    case 'refresh':
      return { reason: 'refresh', ref: null, service: null };
    case 'manual':
      return { reason: 'manual', ref: trigger.by ?? null, service: null };
    default:
      return { reason: trigger.reason, ref: page.alertname ?? null, service: page.service ?? null };
  }
}

/**
 * What an open incident knows after investigating a new lead: the hypotheses of both investigations, each once, most
 * confident first; the rest (suggested step, what was checked) from the investigation whose hypothesis leads. A lead
 * that explains nothing leaves the earlier diagnosis standing rather than replacing it with "nothing known".
 */
export function mergeInvestigations(before: InvestigationResult, lead: InvestigationResult): InvestigationResult {
  const key = (h: Hypothesis) => `${h.category}|${h.service}|${h.cause ?? ''}`;
  const byKey = new Map<string, Hypothesis>();
  for (const h of [...lead.hypotheses, ...before.hypotheses]) {
    const seen = byKey.get(key(h));
    if (!seen || h.confidence > seen.confidence) byKey.set(key(h), h);
  }
  const hypotheses = [...byKey.values()].sort((a, b) => b.confidence - a.confidence);
  if (hypotheses.length === 0) return lead;
  const leader = lead.hypotheses.some(
    (h) => key(h) === key(hypotheses[0]!) && h.confidence === hypotheses[0]!.confidence,
  )
    ? lead
    : before;
  return {
    ...leader,
    novel: false,
    hypotheses,
    missing: [...new Set([...(before.missing ?? []), ...(lead.missing ?? [])])],
    // The incident began at the earlier onset: a new lead does not move it later.
    ...(before.onset !== undefined || lead.onset !== undefined
      ? { onset: Math.min(before.onset ?? Infinity, lead.onset ?? Infinity) }
      : {}),
  };
}

/** The top hypothesis of the incident's last investigation (kept on the timeline, also across a reopen). */
async function lastTopHypothesis(ctx: AppContext, incidentId: number): Promise<string | null> {
  const last = await lastEventOfType(ctx.knex, incidentId, 'investigation.completed');
  const top = (last?.data as { top?: { summary?: unknown } | null } | undefined)?.top;
  return typeof top?.summary === 'string' ? top.summary : null;
}

/** Whether a remediation of the incident is approved, running, or has run and awaits its verdict. */
async function fixUnderWay(ctx: AppContext, incidentId: number): Promise<boolean> {
  const run = await ctx
    .knex('remediation_runs')
    .where({ incident_id: incidentId })
    .whereIn('status', ['approved', 'running', 'succeeded'])
    .first('id');
  return run !== undefined;
}
