// Installs the error-budget policy: the periodic check, the deploy gate route and the deploy commit statuses.
import type { Router } from 'express';
import type { AppContext } from '../context.js';
import { mountDeployGate } from './deploy-gate.js';
import { setDeployStatusJob, type CommitStatusWriter } from './deploy-status.js';
import { CheckSloPolicies, checkSloPoliciesJob, policyCheckJob } from './policy-job.js';

/**
 * Registers the jobs and mounts GET /api/deploy-gate; with SLOs configured, arms the periodic check (re-armed at
 * every start). `statuses` is GitHub's commit-status writer when GITHUB_TOKEN is set.
 */
export async function installSloPolicy(
  ctx: AppContext,
  router: Router,
  statuses: CommitStatusWriter | undefined,
): Promise<void> {
  ctx.queue.register(checkSloPoliciesJob(ctx));
  ctx.queue.register(setDeployStatusJob(ctx, statuses));
  mountDeployGate(ctx, router);
  // The first run waits at least one interval: until then a state is recorded by a gate call or /slo.
  const every = ctx.config.file.sloPolicy.checkEvery;
  if (ctx.config.file.slos.length)
    await ctx.queue.enqueue(CheckSloPolicies.name, {}, policyCheckJob(new Date(Date.now() + every), every));
}
