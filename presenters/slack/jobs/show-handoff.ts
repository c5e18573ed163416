// Presenter job: posts a recorded handoff in its channel once, or updates the posted one to show its confirmations.
import type { AppContext } from '../../../src/context.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import { toHandoffView } from '../../../src/oncall/handoff-view.js';
import { findHandoff, saveHandoffMessage } from '../../../src/oncall/handoffs-repository.js';
import { ShowHandoff } from '../../../src/oncall/presentations.js';
import { buildHandoffBlocks, buildHandoffText } from '../../../blocks/handoff.js';
import { PRESENTER_RETRY } from './retry-policy.js';

type ShowHandoffPayload = { handoffId: number };

/** Idempotent: a handoff with a stored message ts is updated, never posted twice. */
export function showHandoffJob(ctx: AppContext): JobDefinition<ShowHandoffPayload> {
  return defineJob({
    name: ShowHandoff.name,
    schema: ShowHandoff.schema,
    ...PRESENTER_RETRY,
    async process({ handoffId }) {
      const row = await findHandoff(ctx.knex, handoffId);
      if (!row) return;
      const view = toHandoffView(row);
      if (row.message_ts && row.channel_id) {
        await ctx.chat.updateMessage(
          row.channel_id as string,
          row.message_ts as string,
          buildHandoffText(view),
          buildHandoffBlocks(view),
        );
        return;
      }
      if (!row.channel_id) return;
      const posted = await ctx.chat.postMessage(
        row.channel_id as string,
        buildHandoffText(view),
        buildHandoffBlocks(view),
      );
      await saveHandoffMessage(ctx.knex, handoffId, posted);
    },
  });
}
