// Job: remind an unconfirmed handoff once in its thread, then escalate it to the team lead.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { buildHandoffReminderText } from '../../../blocks/handoff.js';
import { slackIdOf } from '../directory.js';
import { HANDOFF_REMINDER_MS } from '../handoff.js';
import { JobNames } from '../job-names.js';
import { timerRunAt } from '../timers.js';

export const remindHandoffPayload = z.object({ handoffId: z.number().int().positive(), stage: z.enum(['remind', 'escalate']) });
export type RemindHandoffPayload = z.infer<typeof remindHandoffPayload>;

export function remindHandoffJob(ctx: AppContext): JobDefinition<RemindHandoffPayload> {
  return {
    name: JobNames.remindHandoff,
    schema: remindHandoffPayload,
    async process(p) {
      const row = await ctx.knex('handoffs').where({ id: p.handoffId }).first();
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
        await ctx.chat.postMessage(row.channel_id, buildHandoffReminderText(named), undefined, row.message_ts ?? undefined);
        await ctx.knex('handoffs').where({ id: p.handoffId }).update({ reminded_at: now });
        await ctx.queue.enqueue(
          JobNames.remindHandoff,
          { handoffId: p.handoffId, stage: 'escalate' },
          { jobId: `handoff-escalate:${p.handoffId}`, runAt: timerRunAt(ctx.clock, new Date(now.getTime() + HANDOFF_REMINDER_MS)) },
        );
        return;
      }
      if (row.escalated_at) return;
      const leadId = ctx.config.file.teams.find((t) => t.name === row.team)?.lead;
      const lead = leadId ? await slackIdOf(ctx.config.file, ctx.chat, leadId) : undefined;
      const text = buildHandoffReminderText(named, lead);
      await ctx.chat.postMessage(row.channel_id, text, undefined, row.message_ts ?? undefined);
      if (lead) await ctx.chat.sendDirect(lead, `${text} (team ${row.team as string}, <#${row.channel_id as string}>)`);
      await ctx.knex('handoffs').where({ id: p.handoffId }).update({ escalated_at: now });
    },
  };
}
