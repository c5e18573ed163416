// Escalation use cases: start the chain when an incident opens or reopens, stop it once on acknowledgement, change severity.
import type { Severity } from '../config.js';
import type { AppContext } from '../context.js';
import type { JobToEnqueue } from '../jobs/job-queue.js';
import { NotFoundError } from '../errors.js';
import { findIncident, lockIncidentState, updateIncident, type Incident } from '../incidents/repository.js';
import { firstAlert } from '../incidents/alerts-repository.js';
import {
  appendEvent,
  appendEventsQuery,
  cycleKey,
  escalationRunCount,
  type TimelineEventInput,
} from '../incidents/timeline-repository.js';
import { businessDayEnd, isBusinessHours, nextBusinessStart, teamHours } from './business-hours.js';
import { routeAlert } from './routing.js';
import {
  buildSnapshot,
  escalationJobId,
  firstRound,
  loadSnapshot,
  snapshotOfIncident,
  nextPosition,
  storeSnapshot,
  type EscalationSnapshot,
} from './escalation-policy.js';
import { EscalateIncident, planStep, stepEvent, stepJobs } from './jobs/escalate-incident.js';
import { RaiseUnresolvedSev2 } from './jobs/raise-unresolved-sev2.js';
import { enqueueNotice, noticeJob } from './presentations.js';
import { selfCompletion } from '../jobs/job-scope.js';
import { incidentAndRunCount, lastStep, lockRunState, stepOfRun } from './escalation-state.js';
import { oncallServices } from './services.js';
import { timerRunAt } from './timers.js';

export type StartOutcome =
  | { paging: 'now'; policy: string }
  | { paging: 'deferred'; policy: string; pageAt: Date }
  | { paging: 'never'; reason: string };

async function freeze(
  ctx: AppContext,
  incident: Incident,
  policy: string | undefined,
): Promise<EscalationSnapshot | undefined> {
  const existing = snapshotOfIncident(incident);
  const { pagerduty } = oncallServices(ctx);
  // A PagerDuty-backed policy frozen from the config alone is re-read from PagerDuty once, here.
  const fromPagerDuty = pagerduty && existing?.source === 'config' ? existing.pagerdutyId : undefined;
  if (existing && !fromPagerDuty) return existing;
  let name = policy ?? existing?.policy;
  if (!name) {
    const alert = await firstAlert(ctx.knex, incident.id);
    name = alert
      ? routeAlert((alert.labels as Record<string, string> | undefined) ?? {}, ctx.config.file).escalationPolicy
      : undefined;
    name ??= ctx.config.file.teams.find((t) => t.name === incident.team)?.escalationPolicy;
  }
  const snapshot = await buildSnapshot(ctx.config.file, name, incident.team, ctx.clock.now(), pagerduty);
  return snapshot ? storeSnapshot(ctx.knex, incident.id, snapshot, fromPagerDuty !== undefined) : existing;
}

/** The id of the timer that raises a still-unresolved SEV2 at the end of the business day, per run of the chain. */
export function raiseSev2JobId(incidentId: number, reopens: number): string {
  return cycleKey(`raise-sev2:${incidentId}`, reopens);
}

/**
 * Starts paging for an open incident: freezes its escalation policy into the incident, then schedules step 1.
 * A reopened incident runs the chain again, once per reopen, in rounds of its own (firstRound).
 * SEV1 pages now at any hour; SEV2 pages now inside the team's business hours, else at the next start of business,
 * and is raised to SEV1 if still unresolved when that business day ends; SEV3 never pages. Idempotent: calling it
 * twice (two replicas, a retried job) schedules each step once.
 */
export async function startEscalation(
  ctx: AppContext,
  incidentId: number,
  /** `completeJob`: the job running this (start-escalation), which its transaction may then mark completed. */
  opts: { escalationPolicy?: string; completeJob?: string } = {},
): Promise<StartOutcome> {
  // The incident and its run of the chain in one statement.
  const found = await incidentAndRunCount(ctx.knex, incidentId);
  if (!found) throw new NotFoundError(`incident ${incidentId}`);
  const { incident, runs: reopens } = found;
  if (incident.status !== 'triggered') return { paging: 'never', reason: `the incident is ${incident.status}` };
  if (incident.severity === 'sev3') {
    await appendEvent(ctx.knex, {
      incidentId,
      type: 'escalation.skipped',
      at: ctx.clock.now(),
      actor: 'copilot',
      data: { reason: 'sev3 never pages' },
      dedupeKey: cycleKey(`escalation-skipped:${incidentId}`, reopens),
    });
    return { paging: 'never', reason: 'SEV3 posts to the team channel and never pages' };
  }
  const snapshot = await freeze(ctx, incident, opts.escalationPolicy);
  if (!snapshot) {
    const reason = 'no escalation policy and no team rotation apply, so nobody is paged';
    await ctx.knex.transaction(async (trx) => {
      if (
        await appendEvent(trx, {
          incidentId,
          type: 'escalation.none',
          at: ctx.clock.now(),
          actor: 'copilot',
          data: { reason },
          dedupeKey: cycleKey(`escalation-none:${incidentId}`, reopens),
        })
      )
        await enqueueNotice(
          ctx,
          incidentId,
          cycleKey('none', reopens),
          { kind: 'not_paging', publicId: incident.publicId, reason },
          trx,
        );
    });
    return { paging: 'never', reason };
  }
  const now = ctx.clock.now();
  const hours = teamHours(ctx.config.file.teams, incident.team);
  const deferred = incident.severity === 'sev2' && !isBusinessHours(now, hours);
  const pageAt = deferred ? nextBusinessStart(now, hours) : now;
  const round = firstRound(snapshot, reopens);
  // Paging now: step 1 runs in this transaction (its targets resolved first), not in a job of its own; the step's
  // entry is its lock as in escalate-incident, so a retry or a second replica pages once.
  const first = deferred ? undefined : await planStep(ctx, snapshot, { round, step: 0, lateByMs: 0 }, now);
  // Run by its start-escalation job, the transaction's lock also marks the job completed (one statement fewer): it
  // commits or rolls back with the transaction, and nothing that can fail comes after it.
  const self = first && opts.completeJob ? selfCompletion(opts.completeJob) : undefined;
  let completed: boolean | undefined;
  await ctx.knex.transaction(async (trx) => {
    // Locked first, as a step's run does: an acknowledgement that commits first stops the step.
    const run = first ? await lockRunState(trx, incidentId, self) : undefined;
    completed = run?.completed;
    const pageNow =
      first && run?.status === 'triggered' && run.severity !== 'sev3' && !run.stopped && run.runs === reopens
        ? first
        : undefined;
    const startKey = cycleKey(`escalation-start:${incidentId}`, reopens);
    const events: TimelineEventInput[] = [
      {
        incidentId,
        type: deferred ? 'escalation.deferred' : 'escalation.started',
        actor: 'copilot',
        at: now,
        data: {
          policy: snapshot.policy,
          severity: incident.severity,
          pageAt: pageAt.toISOString(),
          ...(reopens ? { reopens, round } : {}),
        },
        dedupeKey: startKey,
      },
    ];
    if (pageNow) events.push(stepEvent(incidentId, pageNow, now));
    // Both entries in one insert; each one written is acted on once.
    const written = new Set(
      ((await appendEventsQuery(trx, events).returning('dedupe_key')) as { dedupe_key: string }[]).map(
        (r) => r.dedupe_key,
      ),
    );
    const jobs: JobToEnqueue[] = [];
    if (written.has(startKey)) {
      // Deferred (or, rarely, the incident changed since it was read): step 1 is a job of its own, as before.
      if (!pageNow)
        jobs.push({
          name: EscalateIncident.name,
          payload: { incidentId, round, step: 0 },
          opts: {
            jobId: escalationJobId(incidentId, round, 0),
            ...(deferred ? { runAt: timerRunAt(ctx.clock, pageAt) } : {}),
          },
        });
      if (incident.severity === 'sev2')
        jobs.push({
          name: RaiseUnresolvedSev2.name,
          payload: { incidentId },
          opts: {
            jobId: raiseSev2JobId(incidentId, reopens),
            runAt: timerRunAt(ctx.clock, businessDayEnd(pageAt, hours)),
          },
        });
      if (deferred)
        jobs.push(
          noticeJob(incidentId, cycleKey('deferred', reopens), {
            kind: 'deferred',
            publicId: incident.publicId,
            pageAt,
            timeZone: hours.timeZone,
          }),
        );
    }
    if (pageNow && written.has(events[1]!.dedupeKey!)) jobs.push(...stepJobs(ctx, incident, snapshot, pageNow, now));
    // The start's timers, the pages, the note and the next step's timer in one statement.
    if (jobs.length) await ctx.queue.enqueueMany(jobs, { trx });
  });
  if (self && completed !== undefined) self.done(completed);
  return deferred
    ? { paging: 'deferred', policy: snapshot.policy, pageAt }
    : { paging: 'now', policy: snapshot.policy };
}

/**
 * Stops an incident's escalation, once per run of the chain (a reopened incident's run stops again): records who
 * stopped it and cancels every pending step timer of the run. The step processor also checks the incident's status,
 * so a timer already running when this commits pages nobody.
 */
export async function stopEscalation(
  ctx: AppContext,
  incidentId: number,
  by: string,
  opts: { reason?: 'alerts_resolved' } = {},
): Promise<boolean> {
  const incident = await findIncident(ctx.knex, incidentId);
  if (!incident) throw new NotFoundError(`incident ${incidentId}`);
  const snapshot = snapshotOfIncident(incident);
  const reopens = await escalationRunCount(ctx.knex, incidentId);
  const base = snapshot ? firstRound(snapshot, reopens) : 0;
  const fresh = await ctx.knex.transaction(async (trx) => {
    const written = await appendEvent(trx, {
      incidentId,
      type: 'escalation.stopped',
      actor: by,
      at: ctx.clock.now(),
      data: opts.reason ? { reason: opts.reason } : {},
      dedupeKey: cycleKey(`escalation-stopped:${incidentId}`, reopens),
    });
    // Stopped because every alert resolved: the caller posts its own note (with a Resolve button).
    if (written && snapshot && !opts.reason) {
      const stepped = await stepOfRun(trx, incidentId, base);
      if (stepped)
        await enqueueNotice(
          ctx,
          incidentId,
          cycleKey('stopped', reopens),
          { kind: 'stopped', publicId: incident.publicId, by },
          trx,
        );
    }
    return written;
  });
  if (!fresh) return false;
  if (snapshot) {
    const ids: string[] = [`${escalationJobId(incidentId, base, 0)}:raised`];
    for (let round = base; round <= base + snapshot.repeat; round++)
      for (let step = 0; step <= snapshot.steps.length; step++) ids.push(escalationJobId(incidentId, round, step));
    await Promise.all(ids.map((id) => ctx.queue.cancel(id)));
  }
  ctx.logger.info({ incidentId, by }, 'escalation stopped');
  return true;
}

/**
 * Changes an incident's severity and records it. Raising to SEV1 pages now (even outside hours); lowering to SEV3
 * stops paging; raising from SEV3 starts the escalation the new severity calls for. Who may is decided before
 * (changeSeverityAs, src/authorization); `by` is recorded.
 */
export async function changeSeverity(
  ctx: AppContext,
  incidentId: number,
  to: Severity,
  by: string,
  reason?: string,
): Promise<{ from: Severity; to: Severity; changed: boolean }> {
  const incident = await findIncident(ctx.knex, incidentId);
  if (!incident) throw new NotFoundError(`incident ${incidentId}`);
  const from = await ctx.knex.transaction(async (trx) => {
    const row = await lockIncidentState(trx, incidentId);
    if (!row) throw new NotFoundError(`incident ${incidentId}`);
    const was = row.severity;
    if (was === to) return was;
    await updateIncident(trx, incidentId, { severity: to }, ctx.clock.now());
    await appendEvent(trx, {
      incidentId,
      type: 'incident.severity_changed',
      actor: by,
      at: ctx.clock.now(),
      data: { from: was, to },
    });
    await enqueueNotice(
      ctx,
      incidentId,
      `sev:${ctx.clock.now().getTime()}:${to}`,
      { kind: 'raised', publicId: incident.publicId, from: was, to, by, ...(reason ? { reason } : {}) },
      trx,
    );
    return was;
  });
  if (from === to) return { from, to, changed: false };
  ctx.events.emit('incident.updated', { incidentId, reason: 'severity' });
  if (incident.status === 'triggered') {
    if (to === 'sev3') await stopEscalation(ctx, incidentId, by);
    else if (from === 'sev3') await startEscalation(ctx, incidentId);
    else if (to === 'sev1') {
      const snapshot = await loadSnapshot(ctx.knex, incidentId);
      const base = snapshot ? firstRound(snapshot, await escalationRunCount(ctx.knex, incidentId)) : 0;
      const stepped = await stepOfRun(ctx.knex, incidentId, base);
      if (!stepped) {
        await ctx.queue.cancel(escalationJobId(incidentId, base, 0));
        await ctx.queue.enqueue(
          EscalateIncident.name,
          { incidentId, round: base, step: 0 },
          { jobId: `${escalationJobId(incidentId, base, 0)}:raised` },
        );
      }
    }
  }
  return { from, to, changed: true };
}

export type { EscalationSnapshot };

/** Pages the next step now (the Escalate button): the step's timer is replaced by an immediate run. */
export async function escalateNow(
  ctx: AppContext,
  incidentId: number,
  by: string,
): Promise<{ round: number; step: number } | undefined> {
  const incident = await findIncident(ctx.knex, incidentId);
  if (!incident) throw new NotFoundError(`incident ${incidentId}`);
  const snapshot = snapshotOfIncident(incident) ?? (await freeze(ctx, incident, undefined));
  if (!snapshot) return undefined;
  const base = firstRound(snapshot, await escalationRunCount(ctx.knex, incidentId));
  const last = await lastStep(ctx.knex, incidentId);
  // A step of an earlier run (before a reopen) does not count: the current run starts at its own first step.
  const next = last && last.round >= base ? nextPosition(snapshot, last.round, last.step) : { round: base, step: 0 };
  if (!next) return undefined;
  await ctx.queue.cancel(escalationJobId(incidentId, next.round, next.step));
  await ctx.queue.enqueue(
    EscalateIncident.name,
    { ...next, incidentId, force: true },
    { jobId: `${escalationJobId(incidentId, next.round, next.step)}:requested` },
  );
  ctx.logger.info({ incidentId, by, ...next }, 'escalation requested');
  return next;
}
