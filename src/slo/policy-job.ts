// Job (every sloPolicy.checkEvery): checks every SLO's policy state, so a change is recorded and posted even when no
// deploy asks the gate. One chain of runs however many replicas arm it (the job id is the run's slot).
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { defineJob } from '../jobs/define-job.js';
import type { JobDefinition } from '../jobs/job-queue.js';
import { checkPolicies } from './policy-service.js';

export const CheckSloPolicies = { name: 'check-slo-policies', schema: z.object({}) } as const;

/** The run due at the first whole interval after `at`. */
export function policyCheckJob(at: Date, everyMs: number): { jobId: string; runAt: Date } {
  const runAt = new Date((Math.floor(at.getTime() / everyMs) + 1) * everyMs);
  return { jobId: `check-slo-policies:${runAt.toISOString()}`, runAt };
}

export function checkSloPoliciesJob(ctx: AppContext): JobDefinition<Record<string, never>> {
  return defineJob({
    ...CheckSloPolicies,
    attempts: 1,
    async process() {
      try {
        await checkPolicies(ctx);
      } finally {
        await ctx.queue.enqueue(
          CheckSloPolicies.name,
          {},
          policyCheckJob(new Date(), ctx.config.file.sloPolicy.checkEvery),
        );
      }
    },
  });
}
