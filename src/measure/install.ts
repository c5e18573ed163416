// Registers the measure jobs: the outcome of each resolve, and the weekly summary's timer (armed at every start).
import type { AppContext } from '../context.js';
import { defineJob } from '../jobs/define-job.js';
import { recordIncidentOutcome } from './record-outcome.js';
import { RecordIncidentOutcome } from './requests.js';
import { armWeeklySummary, postCopilotSummaryJob } from './stats.js';

export async function installMeasure(ctx: AppContext): Promise<void> {
  ctx.queue.register(
    defineJob({
      ...RecordIncidentOutcome,
      lane: 'background',
      attempts: 8,
      backoffMs: 1000,
      async process({ incidentId }) {
        await recordIncidentOutcome(ctx, incidentId);
      },
    }),
  );
  ctx.queue.register(postCopilotSummaryJob(ctx));
  // Re-armed at every start from the product's clock; the slot's job id makes a second arming a no-op.
  await armWeeklySummary(ctx, ctx.clock.now());
}
