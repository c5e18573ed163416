// The Slack presenters: jobs and domain-event listeners that turn what the core recorded into Slack posts and updates.
import type { AppContext } from '../../src/context.js';
import { scheduleBriefingUpdate } from '../../src/incidents/presentations.js';
import { answerInThreadJob } from './jobs/answer-in-thread.js';
import { announceRoleJob } from './jobs/announce-role.js';
import { postStatusUpdateJob, remindStatusUpdateJob } from './jobs/post-status-update.js';
import { openIncidentChannelJob, openIncidentChannelNow } from './jobs/open-incident-channel.js';
import { postIncidentNoteJob } from './jobs/post-incident-note.js';
import { postAutonomyNoteJob } from './jobs/post-autonomy-note.js';
import { showPostmortemJob } from './jobs/show-postmortem.js';
import { showSloPolicyChangeJob } from './jobs/show-slo-policy-change.js';
import { showCopilotSummaryJob } from './jobs/show-copilot-summary.js';
import { updateBriefingJob } from './jobs/update-briefing.js';
import { registerOncallPresenters } from './oncall.js';
import { postIncidentCharts } from './post-chart.js';
import { registerRemediationPresenters } from './remediation.js';

/** Registers every Slack presenter job with the queue and every presenter listener with the domain events. */
export function registerSlackPresenters(ctx: AppContext): void {
  ctx.queue.register(openIncidentChannelJob(ctx));
  ctx.queue.register(updateBriefingJob(ctx));
  ctx.queue.register(postIncidentNoteJob(ctx));
  ctx.queue.register(postAutonomyNoteJob(ctx));
  ctx.queue.register(showPostmortemJob(ctx));
  ctx.queue.register(showSloPolicyChangeJob(ctx));
  ctx.queue.register(showCopilotSummaryJob(ctx));
  ctx.queue.register(answerInThreadJob(ctx));
  // /incident role and /incident update (src/incidents/roles.ts, status-update.ts).
  ctx.queue.register(announceRoleJob(ctx));
  ctx.queue.register(postStatusUpdateJob(ctx));
  ctx.queue.register(remindStatusUpdateJob(ctx));
  // The first briefing comes at once; the open-incident job queued with the incident is the safety net.
  ctx.events.on('incident.opened', ({ incidentId, opened, alertname }) =>
    openIncidentChannelNow(ctx, incidentId, opened, alertname),
  );
  // Severity and commander are shown in the briefing and the topic: re-render them when they change.
  ctx.events.on('incident.updated', async ({ incidentId, reason }) => {
    if (reason !== 'severity' && reason !== 'commander') return;
    await scheduleBriefingUpdate(ctx, incidentId).catch((err) =>
      ctx.logger.warn({ err, incidentId }, 'could not schedule a briefing update'),
    );
  });
  // The charts are a nicety: failing to draw or upload one never fails anything else (postIncidentCharts logs it).
  ctx.events.on('investigation.completed', ({ incidentId, incident }) => postIncidentCharts(ctx, incidentId, incident));
  registerOncallPresenters(ctx);
  registerRemediationPresenters(ctx);
}
