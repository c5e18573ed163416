// Registers the jobs of `/drill <runbook>`: the drill itself, and the pull request that sets last_drilled.
import type { AppContext } from '../context.js';
import type { PostmortemCodeHost } from '../postmortems/ports.js';
import { lastDrilledPullJob } from './jobs/last-drilled-pr.js';
import { runDrillJob } from './jobs/run-drill.js';

/**
 * Registers `run-drill` and `drill-last-drilled`. `host` is RUNBOOKS_REPO's code host (the postmortems' own); without
 * it a drill still runs and reports, and says that last_drilled is not updated.
 */
export function installDrills(ctx: AppContext, host: PostmortemCodeHost | undefined): void {
  const settings = ctx.config.file;
  ctx.queue.register(runDrillJob(ctx, { pullRequests: host !== undefined }));
  ctx.queue.register(
    lastDrilledPullJob(ctx, host, {
      base: settings.postmortems.baseBranch ?? settings.runbookSettings.ref ?? 'main',
      runbooksPath: settings.runbookSettings.path,
    }),
  );
}
