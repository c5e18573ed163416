// Presenter job: posts the weekly summary of the copilot's figures (stored with its slot) to its channel, once.
import type { z } from 'zod';
import type { AppContext } from '../../../src/context.js';
import type { ChatBlock } from '../../../src/incidents/chat-notifier.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import { ShowCopilotSummary } from '../../../src/measure/presentations.js';
import { setSummaryTs, summaryOf } from '../../../src/measure/repository.js';
import type { StatsView } from '../../../src/measure/stats-view.js';
import { buildStatsBlocks, buildStatsText } from '../../../blocks/copilot-stats.js';
import { PRESENTER_RETRY } from './retry-policy.js';

export const SUMMARY_HEADING = 'The copilot this week';

export function showCopilotSummaryJob(ctx: AppContext): JobDefinition<z.infer<typeof ShowCopilotSummary.schema>> {
  return defineJob({
    ...ShowCopilotSummary,
    ...PRESENTER_RETRY,
    async process({ slot, channel }) {
      const stored = await summaryOf(ctx.knex, slot);
      if (!stored || stored.ts) return;
      const view = stored.view as StatsView;
      const posted = await ctx.chat.postMessage(
        channel,
        buildStatsText(view, SUMMARY_HEADING),
        buildStatsBlocks(view, SUMMARY_HEADING) as unknown as ChatBlock[],
      );
      await setSummaryTs(ctx.knex, slot, posted.ts);
    },
  });
}
