// Job (every minute): finds escalations that fell behind or never started, reports them and re-arms their timers.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { appendEvent } from '../../incidents/timeline-repository.js';
import { startEscalation } from '../escalation.js';
import { pagingEscalations } from '../escalation-state.js';
import {
  escalationJobId,
  firstRound,
  parseSnapshot,
  nextPosition,
  snapshotOfPolicy,
  stepDelayMs,
  type EscalationSnapshot,
} from '../escalation-policy.js';
import { EscalateIncident } from './escalate-incident.js';

export const WATCHDOG_INTERVAL_MS = 60_000;
/** How far past its time a step may be before the watchdog calls it behind. */
export const WATCHDOG_GRACE_MS = 30_000;

export const escalationWatchdogPayload = z.object({});
export type EscalationWatchdogPayload = z.infer<typeof escalationWatchdogPayload>;

/** Job ids from watchdogJob(at): one chain of runs, however many replicas arm it. */
export const EscalationWatchdog = { name: 'escalation-watchdog', schema: escalationWatchdogPayload } as const;

/** The id of the watchdog run due at the first whole interval after `at`: replicas arming it make one chain. */
export function watchdogJob(at: Date): { jobId: string; runAt: Date } {
  const runAt = new Date((Math.floor(at.getTime() / WATCHDOG_INTERVAL_MS) + 1) * WATCHDOG_INTERVAL_MS);
  return { jobId: `escalation-watchdog:${runAt.toISOString()}`, runAt };
}

export interface BehindEscalation {
  incidentId: number;
  round: number;
  step: number;
  dueAt: Date;
  behindMs: number;
}

/**
 * How long a step should wait, from the policy as configured: the config's definition of the snapshot's policy
 * (parsed from its text), else, for a PagerDuty or default policy, the snapshot. Never the figure the step recorded
 * (nextInMs), so a timer armed from a wrong figure is still caught.
 */
export function configuredDelayMs(ctx: AppContext, snapshot: EscalationSnapshot, step: number, at: Date): number {
  const def =
    snapshot.source === 'config'
      ? ctx.config.file.escalationPolicies.find((p) => p.name === snapshot.policy)
      : undefined;
  const policy = def ? snapshotOfPolicy(def, snapshot.team, at) : snapshot;
  return stepDelayMs(policy, Math.min(step, policy.steps.length - 1), ctx.config.file, at);
}

/** Escalations whose next step is overdue by more than the grace, and triggered incidents that never started one. */
export async function findBehind(
  ctx: AppContext,
  now: Date,
): Promise<{ behind: BehindEscalation[]; unstarted: number[] }> {
  const behind: BehindEscalation[] = [];
  const unstarted: number[] = [];
  // Every paging incident and where its chain stands, in one statement.
  for (const row of await pagingEscalations(ctx.knex)) {
    if (!row.started) {
      if (now.getTime() - row.openedAt.getTime() > WATCHDOG_GRACE_MS) unstarted.push(row.id);
      continue;
    }
    const last = row.last;
    // No step yet, or the chain ran out after its last one (its timer fired and found no further step).
    if (!last || row.exhausted) continue;
    const snapshot = parseSnapshot({ snapshot: row.snapshot, team: row.team, openedAt: row.openedAt });
    if (last.nextInMs == null || !snapshot) continue;
    // The last step belongs to a run before a reopen: the current run has not stepped yet.
    if (last.round < firstRound(snapshot, row.runs)) continue;
    const next = nextPosition(snapshot, last.round, last.step) ?? { round: last.round, step: snapshot.steps.length };
    const dueAt = new Date(last.at.getTime() + configuredDelayMs(ctx, snapshot, last.step, last.at));
    const behindMs = now.getTime() - dueAt.getTime();
    if (behindMs > WATCHDOG_GRACE_MS) behind.push({ incidentId: row.id, ...next, dueAt, behindMs });
  }
  return { behind, unstarted };
}

/**
 * Puts a step that fell behind back on the queue: a lost timer is recorded again, a dead one revived, and one that
 * ended without running its step (cancelled by mistake) replaced. A pending one is only late: the report is enough.
 * The step's timeline dedupe key still makes it run once.
 */
export async function rearmStep(
  ctx: AppContext,
  b: Pick<BehindEscalation, 'incidentId' | 'round' | 'step'>,
): Promise<'enqueued' | 'revived' | 'replaced' | 'pending'> {
  const jobId = escalationJobId(b.incidentId, b.round, b.step);
  const payload = { incidentId: b.incidentId, round: b.round, step: b.step };
  const job = await ctx.queue.get(jobId);
  if (!job) {
    await ctx.queue.enqueue(EscalateIncident.name, payload, { jobId });
    return 'enqueued';
  }
  if (job.status === 'dead') {
    await ctx.queue.retryDead(jobId);
    return 'revived';
  }
  if (job.status === 'pending' || job.status === 'running') return 'pending';
  await ctx.queue.enqueue(EscalateIncident.name, payload, { jobId: `${jobId}:watchdog` });
  return 'replaced';
}

export function escalationWatchdogJob(ctx: AppContext): JobDefinition<EscalationWatchdogPayload> {
  return defineJob({
    lane: 'urgent',
    ...EscalationWatchdog,
    attempts: 1,
    async process() {
      const now = ctx.clock.now();
      try {
        const { behind, unstarted } = await findBehind(ctx, now);
        for (const b of behind) {
          ctx.logger.warn(
            { incidentId: b.incidentId, round: b.round, step: b.step, behindMs: b.behindMs },
            'escalation fell behind',
          );
          await appendEvent(ctx.knex, {
            incidentId: b.incidentId,
            type: 'escalation.behind',
            actor: 'copilot',
            at: now,
            data: { round: b.round, step: b.step, dueAt: b.dueAt.toISOString(), behindMs: b.behindMs },
            dedupeKey: `escalation-behind:${b.incidentId}:${b.round}:${b.step}`,
          });
          await rearmStep(ctx, b);
        }
        for (const id of unstarted) {
          ctx.logger.warn({ incidentId: id }, 'escalation never started; starting it');
          await startEscalation(ctx, id);
        }
      } finally {
        const next = watchdogJob(new Date());
        await ctx.queue.enqueue(EscalationWatchdog.name, {}, next);
      }
    },
  });
}
