// Job: draft the postmortem of a resolved incident (requested in the resolve's transaction).
import type { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { draftPostmortem } from '../draft-postmortem.js';
import { DraftPostmortem } from '../requests.js';

export function draftPostmortemJob(ctx: AppContext): JobDefinition<z.infer<typeof DraftPostmortem.schema>> {
  return defineJob({
    lane: 'background',
    ...DraftPostmortem,
    attempts: 8,
    backoffMs: 1000,
    async process({ incidentId }) {
      await draftPostmortem(ctx, incidentId);
    },
  });
}
