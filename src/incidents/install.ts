// Installs the incidents capability: its jobs (open channel, investigate, update briefing).
import type { AppContext } from '../context.js';
import { investigateIncidentJob } from './investigate-incident.js';
import { openIncidentJob } from './open-incident-channel.js';
import { scheduleBriefingUpdate, updateBriefingJob } from './update-briefing.js';

export function installIncidents(ctx: AppContext): void {
  ctx.queue.register(openIncidentJob(ctx));
  ctx.queue.register(investigateIncidentJob(ctx));
  ctx.queue.register(updateBriefingJob(ctx));
  // Severity and commander are shown in the briefing and the topic: re-render them when they change.
  ctx.events.on('incident.updated', async ({ incidentId, reason }) => {
    if (reason !== 'severity' && reason !== 'commander') return;
    await scheduleBriefingUpdate(ctx, incidentId).catch((err) => ctx.logger.warn({ err, incidentId }, 'could not schedule a briefing update'));
  });
}
