// Escalation use cases: start the chain when an incident opens or reopens, stop it once on acknowledgement, change severity.
import { randomUUID } from 'node:crypto';
import type { Severity } from '../config.js';
import type { AppContext } from '../context.js';
import type { JobToEnqueue } from '../jobs/job-queue.js';
import { NotFoundError } from '../errors.js';
import { findIncident, lockIncidentState, updateIncident, type Incident } from '../incidents/repository.js';
import { firstAlert } from '../incidents/alerts-repository.js';
import { appendEvent, cycleKey, escalationRunCount } from '../incidents/timeline-repository.js';
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
import { incidentAndRunCount, lastStep, stepOfRun } from './escalation-state.js';
import { writeRunStart, type StartEntry, type StartJob } from './escalation-start.js';
import { oncallLookupWith, oncallServices } from './services.js';
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
  // The incident, its run of the chain and its first step's schedules' overrides in one statement.
  const found = await incidentAndRunCount(ctx.knex, incidentId);
  if (!found) throw new NotFoundError(`incident ${incidentId}`);
  const { incident, runs: reopens, overrides } = found;
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
          incident.channelId,
        );
    });
    return { paging: 'never', reason };
  }
  const now = ctx.clock.now();
  const hours = teamHours(ctx.config.file.teams, incident.team);
  const deferred = incident.severity === 'sev2' && !isBusinessHours(now, hours);
  const pageAt = deferred ? nextBusinessStart(now, hours) : now;
  const round = firstRound(snapshot, reopens);
  // Paging now: step 1 runs in the start's statement (its targets resolved first, from the overrides read with the
  // incident), not in a job of its own; the step's entry is its lock as in escalate-incident, so a retry or a second
  // replica pages once.
  const first = deferred
    ? undefined
    : await planStep(ctx, snapshot, { round, step: 0, lateByMs: 0 }, now, oncallLookupWith(ctx, overrides));
  const startKey = cycleKey(`escalation-start:${incidentId}`, reopens);
  const entries: StartEntry[] = [
    {
      event: {
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
      ifPaging: false,
    },
  ];
  const step = first ? stepEvent(incidentId, first, now) : undefined;
  if (step?.dedupeKey) entries.push({ event: { ...step, dedupeKey: step.dedupeKey }, ifPaging: true });
  // Each job follows the entry whose writer inserts it: the start's timers and note follow the start's entry; the
  // pages, the step's note and the next step's timer follow the step's entry (written only if the run may page now).
  const jobs: StartJob[] = [];
  const add = (list: JobToEnqueue[], after: string, unlessPaging = false) => {
    for (const { name, payload, opts: { jobId, ...opts } = {} } of list)
      jobs.push({ id: jobId ?? randomUUID(), ...ctx.queue.plan(name, payload, opts), after, unlessPaging });
  };
  // Deferred (or, rarely, the incident changed since it was read): step 1 is a job of its own, as before.
  add(
    [
      {
        name: EscalateIncident.name,
        payload: { incidentId, round, step: 0 },
        opts: {
          jobId: escalationJobId(incidentId, round, 0),
          ...(deferred ? { runAt: timerRunAt(ctx.clock, pageAt) } : {}),
        },
      },
    ],
    startKey,
    !deferred,
  );
  if (incident.severity === 'sev2')
    add(
      [
        {
          name: RaiseUnresolvedSev2.name,
          payload: { incidentId },
          opts: {
            jobId: raiseSev2JobId(incidentId, reopens),
            runAt: timerRunAt(ctx.clock, businessDayEnd(pageAt, hours)),
          },
        },
      ],
      startKey,
    );
  if (deferred)
    add(
      [
        noticeJob(
          incidentId,
          cycleKey('deferred', reopens),
          {
            kind: 'deferred',
            publicId: incident.publicId,
            pageAt,
            timeZone: hours.timeZone,
          },
          incident.channelId,
        ),
      ],
      startKey,
    );
  if (first && step?.dedupeKey) add(stepJobs(ctx, incident, snapshot, first, now), step.dedupeKey);
  // Run by its start-escalation job, the statement also marks the job completed (one statement fewer): it is atomic
  // with the writes, and nothing that can fail comes after it.
  const self = opts.completeJob ? selfCompletion(opts.completeJob) : undefined;
  // ONE statement (atomic, so no transaction): the lock and the run's state, the entries, their jobs, the completion.
  const result = await writeRunStart(ctx.knex, { incidentId, runs: reopens, entries, jobs }, self);
  if (self && result.completed !== undefined) self.done(result.completed);
  ctx.queue.announce(jobs.filter((j) => result.enqueued.has(j.id)));
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
          incident.channelId,
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
      incident.channelId,
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
