// Presenter job: remind an unconfirmed handoff once in its thread, then escalate it to the team lead.
import type { AppContext } from '../../../src/context.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import { requestPresentation } from '../../../src/jobs/presentations.js';
import { slackIdOf } from '../../../src/oncall/directory.js';
import { HANDOFF_REMINDER_MS } from '../../../src/oncall/handoff.js';
import { findHandoff, markHandoffStage } from '../../../src/oncall/handoffs-repository.js';
import { RemindHandoff, type RemindHandoffPayload } from '../../../src/oncall/presentations.js';
import { timerRunAt } from '../../../src/oncall/timers.js';
import { buildHandoffReminderText } from '../../../blocks/handoff.js';
import { PRESENTER_RETRY } from './retry-policy.js';

/** Idempotent: `reminded_at` and `escalated_at` record each stage once. */
export function remindHandoffJob(ctx: AppContext): JobDefinition<RemindHandoffPayload> {
  return defineJob({
    name: RemindHandoff.name,
    schema: RemindHandoff.schema,
    ...PRESENTER_RETRY,
    async process(p) {
      const row = await findHandoff(ctx.knex, p.handoffId);
      if (!row || !row.channel_id) return;
      const missing = [
        ...(row.outgoing_confirmed_at ? [] : [row.outgoing as string | null]),
        ...(row.incoming_confirmed_at ? [] : [row.incoming as string | null]),
      ];
      if (missing.length === 0) return;
      const named = missing.filter((u): u is string => !!u);
      const now = ctx.clock.now();
      if (p.stage === 'remind') {
        if (row.reminded_at) return;
        await ctx.chat.postMessage(
          row.channel_id as string,
          buildHandoffReminderText(named),
          undefined,
          (row.message_ts as string | null) ?? undefined,
        );
        await markHandoffStage(ctx.knex, p.handoffId, 'reminded', now);
        await requestPresentation(
          ctx,
          RemindHandoff,
          { handoffId: p.handoffId, stage: 'escalate' },
          {
            jobId: `handoff-escalate:${p.handoffId}`,
            runAt: timerRunAt(ctx.clock, new Date(now.getTime() + HANDOFF_REMINDER_MS)),
          },
        );
        return;
      }
      if (row.escalated_at) return;
      const leadId = ctx.config.file.teams.find((t) => t.name === row.team)?.lead;
      const lead = leadId ? await slackIdOf(ctx.config.file, ctx.chat, leadId) : undefined;
      const text = buildHandoffReminderText(named, lead);
      await ctx.chat.postMessage(
        row.channel_id as string,
        text,
        undefined,
        (row.message_ts as string | null) ?? undefined,
      );
      if (lead) await ctx.chat.sendDirect(lead, `${text} (team ${row.team as string}, <#${row.channel_id as string}>)`);
      await markHandoffStage(ctx.knex, p.handoffId, 'escalated', now);
    },
  });
}
