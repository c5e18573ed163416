// Registers the postmortem jobs: the draft on resolve, and publishing to RUNBOOKS_REPO.
import type { AppContext } from '../context.js';
import { draftPostmortemJob } from './jobs/draft-postmortem.js';
import { publishPostmortemJob } from './jobs/publish-postmortem.js';
import type { PostmortemCodeHost } from './ports.js';

/**
 * Registers `draft-postmortem` (queued by the resolve's transaction) and `publish-postmortem`. Without a code host
 * (RUNBOOKS_REPO or GITHUB_TOKEN unset) drafts are still made; Publish then says there is nowhere to publish.
 */
export function installPostmortems(ctx: AppContext, host: PostmortemCodeHost | undefined): void {
  const pm = ctx.config.file.postmortems;
  ctx.queue.register(draftPostmortemJob(ctx));
  ctx.queue.register(
    publishPostmortemJob(ctx, host, {
      base: pm.baseBranch ?? ctx.config.file.runbookSettings.ref ?? 'main',
      runbooksPath: ctx.config.file.runbookSettings.path,
      postmortemsPath: pm.path,
      issuesRepo: pm.issuesRepo ?? host?.repo ?? '',
    }),
  );
}
