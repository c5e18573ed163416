// Job (a timer armed when an action the copilot ran alone succeeds, then again every metrics step until its verify
// window ends): an SLI that got worse since the action and burns the SLO fast is judged not recovered at once, so
// src/autonomy undoes the action and pages the on-call now rather than when the window ends.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { timerRunAt } from '../../oncall/timers.js';
import { getIncidentForRemediation, getRun } from '../remediation-repository.js';
import { judgeFastBurn, sloFastLimitFor } from '../verification.js';
import { actedAtOf, readingsAtAction, readSli, recordVerdict, verifyRemediationJobId } from './verify-remediation.js';

export const watchFastBurnPayload = z.object({
  runId: z.number().int().positive(),
  /** When the run's verify window ends (ms on the product's clock): the watch stops there. */
  until: z.number().int(),
  seq: z.number().int().min(1),
});
export type WatchFastBurnPayload = z.infer<typeof watchFastBurnPayload>;

export const WatchFastBurn = { name: 'watch-fast-burn', schema: watchFastBurnPayload } as const;

export function watchFastBurnJobId(runId: number, seq: number): string {
  return `watch-fast-burn:${runId}:${seq}`;
}

/** The next look of the watch, one metrics step after `fromMs`; none once that is past the verify window's end. */
export function nextFastBurnWatch(
  ctx: AppContext,
  p: WatchFastBurnPayload,
  fromMs: number,
): { name: string; payload: WatchFastBurnPayload; opts: { jobId: string; runAt: Date } } | undefined {
  const at = fromMs + Math.max(ctx.config.file.metrics.step, 1000);
  if (at >= p.until) return undefined;
  return {
    name: WatchFastBurn.name,
    payload: p,
    opts: { jobId: watchFastBurnJobId(p.runId, p.seq), runAt: timerRunAt(ctx.clock, new Date(at)) },
  };
}

/** The `watch-fast-burn` job. */
export function watchFastBurnJob(ctx: AppContext): JobDefinition<WatchFastBurnPayload> {
  return defineJob({
    ...WatchFastBurn,
    attempts: 3,
    backoffMs: 2000,
    async process(p) {
      const run = await getRun(ctx.knex, p.runId);
      // Gone, or judged already (the verify timer, an earlier look): nothing to watch.
      if (!run || run.status !== 'succeeded') return;
      const incident = await getIncidentForRemediation(ctx.knex, run.incidentId);
      if (!incident) return;
      const sli = await readSli(ctx, run, incident);
      const now = ctx.clock.now().getTime();
      if (sli.ok) {
        const actedAt = actedAtOf(ctx, run);
        const after = sli.points.filter(([at]) => at > actedAt && at <= now).map(([, v]) => v);
        const fastLimit = sloFastLimitFor(ctx.config, sli.service, sli.role);
        const burn = judgeFastBurn({
          role: sli.role,
          after,
          atAction: readingsAtAction(ctx, run, sli.points),
          fastLimit,
        });
        if (burn.burning) {
          const judged = await recordVerdict(ctx, run, {
            role: sli.role,
            recovered: false,
            value: after.at(-1) ?? null,
            limit: fastLimit ?? null,
            detail: burn.detail,
          });
          // The verify timer would find it judged; cancelled, it does not wait out the window for nothing.
          if (judged) await ctx.queue.cancel(verifyRemediationJobId(run.id));
          return;
        }
      }
      const next = nextFastBurnWatch(ctx, { ...p, seq: p.seq + 1 }, now);
      if (next) await ctx.queue.enqueue(next.name, next.payload, next.opts);
    },
  });
}
