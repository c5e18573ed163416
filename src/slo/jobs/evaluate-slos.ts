// Job (every `slo.evaluateEvery`, default 1m): evaluates every SLO's burn windows (src/slo/evaluate-slos.ts). A chain
// of timers with deterministic ids, recorded in Postgres: it survives restarts, and replicas arming it make one chain.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { pruneEvaluations } from '../evaluate-repository.js';
import { configuredSlos, evaluateSlos } from '../evaluate-slos.js';

export const EvaluateSlos = { name: 'evaluate-slos', schema: z.object({}) } as const;

/** Evaluations are kept this long past the longest SLO period (the readers want the latest; history is for charts). */
const KEEP_MS = 86_400_000;

/** The run due at the first whole interval after `at` (real time, the queue's): its id names that time. */
export function evaluateSlosJob(at: Date, everyMs: number): { jobId: string; runAt: Date } {
  const runAt = new Date((Math.floor(at.getTime() / everyMs) + 1) * everyMs);
  return { jobId: `evaluate-slos:${runAt.toISOString()}`, runAt };
}

export function evaluateSlosJobDefinition(ctx: AppContext): JobDefinition<z.infer<typeof EvaluateSlos.schema>> {
  return defineJob({
    ...EvaluateSlos,
    attempts: 1,
    async process() {
      if (!ctx.services.evidence.metrics || configuredSlos(ctx).length === 0) return;
      try {
        const done = await evaluateSlos(ctx);
        const longest = Math.max(0, ...done.map((e) => e.periodMs));
        if (longest) await pruneEvaluations(ctx.knex, new Date(ctx.clock.now().getTime() - longest - KEEP_MS));
      } finally {
        // The next run is armed whatever happened to this one: one failing evaluation never stops the chain.
        await ctx.queue.enqueue(EvaluateSlos.name, {}, evaluateSlosJob(new Date(), ctx.config.file.slo.evaluateEvery));
      }
    },
  });
}

/**
 * Registers the job and, with a metrics source and at least one SLO, arms its chain (recorded now, run once the queue
 * starts). Without either there is nothing to evaluate: a chain armed earlier ends at its next run.
 */
export async function installSloEvaluation(ctx: AppContext): Promise<void> {
  ctx.queue.register(evaluateSlosJobDefinition(ctx));
  if (!ctx.services.evidence.metrics || configuredSlos(ctx).length === 0) return;
  // The first run waits at least one interval: the app (and what it serves) is up before the first evaluation.
  const every = ctx.config.file.slo.evaluateEvery;
  await ctx.queue.enqueue(EvaluateSlos.name, {}, evaluateSlosJob(new Date(Date.now() + every), every));
}
