// Job: run one step of an incident's escalation chain (page its targets), then arm the timer of the next step.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { PermanentJobError } from '../../errors.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition, JobToEnqueue, LateCause } from '../../jobs/job-queue.js';
import { findIncident, type Incident } from '../../incidents/repository.js';
import { appendEvent, type TimelineEventInput } from '../../incidents/timeline-repository.js';
import { presentationJob } from '../../jobs/presentations.js';
import { resolveTargets, type OnCallLookup } from '../directory.js';
import { lockRunState } from '../escalation-state.js';
import {
  escalationJobId,
  nextPosition,
  snapshotOfIncident,
  roundInRun,
  stepDelayMs,
  type EscalationSnapshot,
} from '../escalation-policy.js';
import { noticeJob, PageResponder } from '../presentations.js';
import { EscalatePagerDuty } from './escalate-pagerduty-incident.js';
import { oncallServices } from '../services.js';
import { timerRunAt } from '../timers.js';

export const escalateIncidentPayload = z.object({
  incidentId: z.number().int().positive(),
  round: z.number().int().min(0),
  /** The step to run; one past the last step means "the chain ran out". */
  step: z.number().int().min(0),
  /** Set by the Escalate button: runs even though SEV2 business hours would defer it. */
  force: z.boolean().optional(),
});
export type EscalateIncidentPayload = z.infer<typeof escalateIncidentPayload>;

/** Runs one step of an incident's chain. Job ids: escalationJobId(incident, round, step), with suffixes for replacements. */
export const EscalateIncident = { name: 'escalate-incident', schema: escalateIncidentPayload } as const;

/** A step about to run: who it pages and what comes after it. */
export interface StepToRun {
  round: number;
  step: number;
  /** One past the last step: the chain ran out. */
  exhausted: boolean;
  targets: { users: string[]; unresolved: string[] };
  next: { round: number; step: number } | undefined;
  delayMs: number;
  lateByMs: number;
  lateCause?: LateCause;
}

/** Resolves a step's targets (no database write; the overrides of a rotation are read, unless `oncall` has them). */
export async function planStep(
  ctx: AppContext,
  snapshot: EscalationSnapshot,
  at: { round: number; step: number; lateByMs: number; lateCause?: LateCause },
  now: Date,
  oncall: OnCallLookup = oncallServices(ctx).oncall,
): Promise<StepToRun> {
  const exhausted = at.step >= snapshot.steps.length;
  const step = snapshot.steps[at.step];
  const targets = step
    ? await resolveTargets(step.targets, {
        file: ctx.config.file,
        chat: ctx.chat,
        oncall,
        team: snapshot.team,
        at: now,
      })
    : { users: [], unresolved: [] };
  const next = exhausted
    ? undefined
    : (nextPosition(snapshot, at.round, at.step) ?? { round: at.round, step: snapshot.steps.length });
  const delayMs = exhausted ? 0 : stepDelayMs(snapshot, at.step, ctx.config.file, now);
  return {
    round: at.round,
    step: at.step,
    exhausted,
    targets,
    next,
    delayMs,
    lateByMs: at.lateByMs,
    ...(at.lateCause ? { lateCause: at.lateCause } : {}),
  };
}

/** The step's timeline entry; its dedupe key is the step's lock (whoever writes it enqueues the step's jobs). */
export function stepEvent(incidentId: number, s: StepToRun, now: Date): TimelineEventInput {
  return {
    incidentId,
    type: s.exhausted ? 'escalation.exhausted' : 'escalation.step',
    actor: 'copilot',
    at: now,
    dedupeKey: `escalation:${incidentId}:${s.round}:${s.step}`,
    data: {
      round: s.round,
      step: s.step,
      users: s.targets.users,
      unresolved: s.targets.unresolved,
      lateByMs: s.lateByMs,
      ...(s.lateCause ? { lateCause: s.lateCause } : {}),
      nextInMs: s.next ? s.delayMs : null,
    },
  };
}

/** What a step enqueues once its entry is written: the pages, the note, PagerDuty's escalation and the next timer. */
export function stepJobs(
  ctx: AppContext,
  incident: Incident,
  snapshot: EscalationSnapshot,
  s: StepToRun,
  now: Date,
): JobToEnqueue[] {
  const late = s.lateByMs > 0 && s.lateCause ? { lateCause: s.lateCause } : {};
  if (s.exhausted)
    return [
      noticeJob(
        incident.id,
        `exhausted:${s.round}`,
        { kind: 'exhausted', publicId: incident.publicId },
        incident.channelId,
      ),
    ];
  const jobs: JobToEnqueue[] = s.targets.users.map((user) =>
    presentationJob(
      PageResponder,
      {
        incidentId: incident.id,
        round: s.round,
        step: s.step,
        steps: snapshot.steps.length,
        user,
        lateByMs: s.lateByMs,
        ...late,
      },
      { jobId: `page:${incident.id}:${s.round}:${s.step}:${user}` },
    ),
  );
  jobs.push(
    noticeJob(
      incident.id,
      `step:${s.round}:${s.step}`,
      {
        kind: 'paging',
        publicId: incident.publicId,
        users: s.targets.users,
        unresolved: s.targets.unresolved,
        step: s.step + 1,
        steps: snapshot.steps.length,
        round: roundInRun(snapshot, s.round),
        lateByMs: s.lateByMs,
        ...late,
      },
      incident.channelId,
    ),
  );
  if (
    oncallServices(ctx).pagerduty &&
    incident.source === 'pagerduty' &&
    incident.externalId &&
    (s.step > 0 || roundInRun(snapshot, s.round) > 0)
  )
    jobs.push({
      name: EscalatePagerDuty.name,
      payload: { externalId: incident.externalId, level: s.step + 1 },
      opts: { jobId: `pd-escalate:${incident.id}:${s.round}:${s.step}` },
    });
  if (s.next)
    jobs.push({
      name: EscalateIncident.name,
      payload: { incidentId: incident.id, round: s.next.round, step: s.next.step },
      opts: {
        jobId: escalationJobId(incident.id, s.next.round, s.next.step),
        runAt: timerRunAt(ctx.clock, new Date(now.getTime() + s.delayMs)),
      },
    });
  return jobs;
}

/**
 * The step's timeline event is its lock: its dedupe key lets exactly one run (two replicas, a retry after a crash)
 * write it, and the pages and the next timer are enqueued in that same transaction, so a step is never lost or
 * doubled. The incident row is locked first: an acknowledgement that commits first stops the step. (Step 1 of a run
 * that pages at once runs inside start-escalation's own transaction, src/oncall/escalation.ts.)
 */
export function escalateIncidentJob(ctx: AppContext): JobDefinition<EscalateIncidentPayload> {
  return defineJob({
    lane: 'urgent',
    ...EscalateIncident,
    attempts: 10,
    async process(p, job) {
      const incident = await findIncident(ctx.knex, p.incidentId);
      if (!incident) throw new PermanentJobError(`incident ${p.incidentId} does not exist`);
      if (incident.status !== 'triggered' || incident.severity === 'sev3') {
        ctx.logger.info(
          { incidentId: p.incidentId, status: incident.status, severity: incident.severity },
          'escalation step skipped: nothing to page',
        );
        return;
      }
      const snapshot = snapshotOfIncident(incident);
      if (!snapshot) throw new PermanentJobError(`incident ${p.incidentId} has no escalation snapshot`);
      const now = ctx.clock.now();
      const lateByMs = job.lateByMs >= 1000 ? job.lateByMs : 0;
      const s = await planStep(
        ctx,
        snapshot,
        {
          round: p.round,
          step: p.step,
          lateByMs,
          ...(lateByMs > 0 && job.lateCause ? { lateCause: job.lateCause } : {}),
        },
        now,
      );
      await ctx.knex.transaction(async (trx) => {
        // The row locked, the run's state read, in one statement.
        const run = await lockRunState(trx, p.incidentId);
        if (run?.status !== 'triggered' || run.severity === 'sev3') return;
        // Every alert resolved stops the run while the incident stays open: a timer already in flight pages nobody.
        if (run.stopped) return;
        if (!(await appendEvent(trx, stepEvent(p.incidentId, s, now)))) return;
        // The pages, the note and the next timer go in one statement.
        await ctx.queue.enqueueMany(stepJobs(ctx, incident, snapshot, s, now), { trx });
      });
      if (lateByMs > 0)
        ctx.logger.warn(
          {
            incidentId: p.incidentId,
            round: p.round,
            step: p.step,
            lateByMs,
            ...(s.lateCause ? { lateCause: s.lateCause } : {}),
          },
          'escalation step ran late',
        );
    },
  });
}
