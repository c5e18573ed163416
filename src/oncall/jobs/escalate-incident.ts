// Job: run one step of an incident's escalation chain (page its targets), then arm the timer of the next step.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { PermanentJobError } from '../../errors.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition, JobToEnqueue } from '../../jobs/job-queue.js';
import { findIncident, lockIncidentState } from '../../incidents/repository.js';
import { appendEvent } from '../../incidents/timeline-repository.js';
import { presentationJob } from '../../jobs/presentations.js';
import { resolveTargets } from '../directory.js';
import { runStopped } from '../escalation-state.js';
import { escalationJobId, nextPosition, snapshotOfIncident, roundInRun, stepDelayMs } from '../escalation-policy.js';
import { enqueueNotice, noticeJob, PageResponder } from '../presentations.js';
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

/**
 * The step's timeline event is its lock: its dedupe key lets exactly one run (two replicas, a retry after a crash)
 * write it, and the pages and the next timer are enqueued in that same transaction, so a step is never lost or
 * doubled. The incident row is locked first: an acknowledgement that commits first stops the step.
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
      const exhausted = p.step >= snapshot.steps.length;
      const step = snapshot.steps[p.step];
      const targets = step
        ? await resolveTargets(step.targets, {
            file: ctx.config.file,
            chat: ctx.chat,
            oncall: oncallServices(ctx).oncall,
            team: snapshot.team,
            at: now,
          })
        : { users: [], unresolved: [] };
      const next = exhausted
        ? undefined
        : (nextPosition(snapshot, p.round, p.step) ?? { round: p.round, step: snapshot.steps.length });
      const delayMs = exhausted ? 0 : stepDelayMs(snapshot, p.step, ctx.config.file, now);
      const lateByMs = job.lateByMs >= 1000 ? job.lateByMs : 0;
      const late = lateByMs > 0 && job.lateCause ? { lateCause: job.lateCause } : {};
      const { pagerduty } = oncallServices(ctx);
      await ctx.knex.transaction(async (trx) => {
        const row = await lockIncidentState(trx, p.incidentId);
        if (row?.status !== 'triggered' || row.severity === 'sev3') return;
        // Every alert resolved stops the run while the incident stays open: a timer already in flight pages nobody.
        if (await runStopped(trx, p.incidentId)) return;
        const fresh = await appendEvent(trx, {
          incidentId: p.incidentId,
          type: exhausted ? 'escalation.exhausted' : 'escalation.step',
          actor: 'copilot',
          at: now,
          dedupeKey: `escalation:${p.incidentId}:${p.round}:${p.step}`,
          data: {
            round: p.round,
            step: p.step,
            users: targets.users,
            unresolved: targets.unresolved,
            lateByMs,
            ...late,
            nextInMs: next ? delayMs : null,
          },
        });
        if (!fresh) return;
        if (exhausted) {
          await enqueueNotice(
            ctx,
            p.incidentId,
            `exhausted:${p.round}`,
            { kind: 'exhausted', publicId: incident.publicId },
            trx,
          );
          return;
        }
        // The pages, the note and the next timer go in one statement.
        const jobs: JobToEnqueue[] = targets.users.map((user) =>
          presentationJob(
            PageResponder,
            {
              incidentId: p.incidentId,
              round: p.round,
              step: p.step,
              steps: snapshot.steps.length,
              user,
              lateByMs,
              ...late,
            },
            { jobId: `page:${p.incidentId}:${p.round}:${p.step}:${user}` },
          ),
        );
        jobs.push(
          noticeJob(p.incidentId, `step:${p.round}:${p.step}`, {
            kind: 'paging',
            publicId: incident.publicId,
            users: targets.users,
            unresolved: targets.unresolved,
            step: p.step + 1,
            steps: snapshot.steps.length,
            round: roundInRun(snapshot, p.round),
            lateByMs,
            ...late,
          }),
        );
        if (
          pagerduty &&
          incident.source === 'pagerduty' &&
          incident.externalId &&
          (p.step > 0 || roundInRun(snapshot, p.round) > 0)
        )
          jobs.push({
            name: EscalatePagerDuty.name,
            payload: { externalId: incident.externalId, level: p.step + 1 },
            opts: { jobId: `pd-escalate:${p.incidentId}:${p.round}:${p.step}` },
          });
        if (next)
          jobs.push({
            name: EscalateIncident.name,
            payload: { incidentId: p.incidentId, round: next.round, step: next.step },
            opts: {
              jobId: escalationJobId(p.incidentId, next.round, next.step),
              runAt: timerRunAt(ctx.clock, new Date(now.getTime() + delayMs)),
            },
          });
        await ctx.queue.enqueueMany(jobs, { trx });
      });
      if (lateByMs > 0)
        ctx.logger.warn(
          { incidentId: p.incidentId, round: p.round, step: p.step, lateByMs, ...late },
          'escalation step ran late',
        );
    },
  });
}
