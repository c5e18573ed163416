// Job: read RUNBOOKS_REPO's runbooks again now (`incident-copilot runbooks refresh` records one).
import { z } from 'zod';
import { ExternalServiceError } from '../../errors.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import type { GitRunbookSource } from '../runbook-sources.js';

export const RefreshRunbooks = {
  name: 'refresh-runbooks',
  schema: z.object({ requestedBy: z.string().max(200).optional() }),
} as const;

/** A failed read keeps the last good set and is retried; the job fails for good only after its attempts. */
export function refreshRunbooksJob(git: GitRunbookSource): JobDefinition<z.infer<typeof RefreshRunbooks.schema>> {
  return defineJob({
    lane: 'background',
    ...RefreshRunbooks,
    attempts: 3,
    backoffMs: 5000,
    process: async () => {
      const result = await git.refresh();
      if (!result.ok)
        throw new ExternalServiceError('github', `runbooks refresh failed: ${result.error}`, { retryable: true });
    },
  });
}
