// Presenter jobs of status updates: post a recorded update in the incident channel and the stakeholder channel
// (each post recorded on the timeline, so a retry posts neither twice), and remind the commander when the next is due.
import type { AppContext } from '../../../src/context.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import { findIncident } from '../../../src/incidents/repository.js';
import {
  PostStatusUpdate,
  RemindStatusUpdate,
  findStatusUpdate,
  reminderDue,
  type PostStatusUpdatePayload,
  type RemindStatusUpdatePayload,
} from '../../../src/incidents/status-update.js';
import { appendEvent, findEventByKey } from '../../../src/incidents/timeline-repository.js';
import { teamZone } from '../../../src/incidents/onset.js';
import { buildStatusUpdateMessage, buildStatusUpdateReminder } from '../../../blocks/status-update.js';
import { PRESENTER_RETRY } from './retry-policy.js';

export function postStatusUpdateJob(ctx: AppContext): JobDefinition<PostStatusUpdatePayload> {
  return defineJob({
    name: PostStatusUpdate.name,
    schema: PostStatusUpdate.schema,
    ...PRESENTER_RETRY,
    async process({ incidentId, eventId }) {
      const incident = await findIncident(ctx.knex, incidentId);
      const update = await findStatusUpdate(ctx, eventId);
      if (!incident?.channelId || !update || update.incidentId !== incidentId) return;
      const targets = [
        { key: 'channel', channel: incident.channelId, copy: false },
        ...(update.stakeholderChannel && update.stakeholderChannel !== incident.channelId
          ? [{ key: 'stakeholders', channel: update.stakeholderChannel, copy: true }]
          : []),
      ];
      for (const t of targets) {
        const dedupeKey = `status-update:${eventId}:posted-${t.key}`;
        if (await findEventByKey(ctx.knex, dedupeKey)) continue;
        const msg = buildStatusUpdateMessage({
          publicId: incident.publicId,
          by: update.by,
          text: update.text,
          nextUpdateAt: update.nextUpdateAt,
          zone: teamZone(ctx.config.file, incident.team),
          ...(t.copy ? { incidentChannel: incident.channelId } : {}),
        });
        const posted = await ctx.chat.postMessage(t.channel, msg.text, msg.blocks);
        await appendEvent(ctx.knex, {
          incidentId,
          type: 'status_update.delivered',
          actor: 'copilot',
          at: ctx.clock.now(),
          dedupeKey,
          data: { channel: t.channel, ts: posted.ts, stakeholders: t.copy },
        });
      }
    },
  });
}

export function remindStatusUpdateJob(ctx: AppContext): JobDefinition<RemindStatusUpdatePayload> {
  return defineJob({
    name: RemindStatusUpdate.name,
    schema: RemindStatusUpdate.schema,
    ...PRESENTER_RETRY,
    async process({ incidentId, eventId }) {
      const due = await reminderDue(ctx, incidentId, eventId);
      if (!due.due || !due.incident.channelId) return;
      const dedupeKey = `status-update:${eventId}:reminded`;
      if (await findEventByKey(ctx.knex, dedupeKey)) return;
      const update = await findStatusUpdate(ctx, eventId);
      const to = due.incident.commander ?? update?.by;
      if (!to) return;
      const text = buildStatusUpdateReminder({
        publicId: due.incident.publicId,
        to,
        dueAt: new Date(due.nextUpdateAt),
        incidentChannel: due.incident.channelId,
        zone: teamZone(ctx.config.file, due.incident.team),
      });
      if (due.incident.commander) await ctx.chat.sendDirect(due.incident.commander, text);
      else await ctx.chat.postMessage(due.incident.channelId, text);
      await appendEvent(ctx.knex, {
        incidentId,
        type: 'status_update.reminded',
        actor: 'copilot',
        at: ctx.clock.now(),
        dedupeKey,
        data: { to, dueAt: due.nextUpdateAt },
      });
    },
  });
}
