// Job: a new incident gets its channel, topic, first briefing ("investigating"), responders and a pointer.
import { z } from 'zod';
import type { AppContext } from '../context.js';
import type { JobDefinition } from '../jobs/job-queue.js';
import { PermanentJobError } from '../errors.js';
import { slackIdOf } from '../oncall/directory.js';
import { oncallServices } from '../oncall/services.js';
import { buildBriefingBlocks, buildBriefingText } from '../../blocks/briefing.js';
import { buildPointerBlocks, buildPointerText, buildTopic } from '../../blocks/status.js';
import { briefingState, buildBriefingView } from './briefing-view.js';
import { channelName } from './naming.js';
import { appendEvent, findIncident, firstAlert, type Incident } from './repository.js';
import { INVESTIGATE_JOB } from './investigate-incident.js';

export const OPEN_INCIDENT_JOB = 'open-incident';
/** The job runs this long after the incident opened, only to finish what the inline attempt could not. */
export const OPEN_INCIDENT_SAFETY_DELAY_MS = 30_000;

const payloadSchema = z.object({ incidentId: z.number().int().positive() });

/**
 * Opens the incident in chat. Each step checks what an earlier attempt already did (channel, first message), so a
 * retry after a crash finishes the work without a second channel or a second briefing.
 */
export async function openIncidentChannel(ctx: AppContext, incidentId: number): Promise<void> {
  let incident = await findIncident(ctx.knex, incidentId);
  if (!incident) throw new PermanentJobError(`incident ${incidentId} does not exist`);
  if (!incident.channelId) {
    const alert = await firstAlert(ctx.knex, incident.id);
    const name = channelName(incident.publicId, incident.service, (alert?.alertname as string | undefined) ?? incident.title);
    const channel = await ctx.chat.createChannel(name);
    const updated = await ctx.knex('incidents').where({ id: incident.id }).whereNull('channel_id').update({ channel_id: channel.id, channel_name: channel.name, updated_at: ctx.clock.now() });
    if (updated) await appendEvent(ctx.knex, { incidentId: incident.id, type: 'channel.created', actor: 'copilot', data: { channel: channel.id, name: channel.name }, dedupeKey: `channel:${incident.id}` });
    incident = (await findIncident(ctx.knex, incidentId))!;
  }
  const channelId = incident.channelId!;
  if (!incident.briefingTs) {
    // The first message comes before anything slow (invites, the investigation): people see the page at once.
    const view = await buildBriefingView(ctx.knex, ctx.config, incident);
    const posted = await ctx.chat.postMessage(channelId, buildBriefingText(view), buildBriefingBlocks(view));
    await ctx.knex('incidents').where({ id: incident.id }).whereNull('briefing_ts').update({ briefing_ts: posted.ts, briefing_state: JSON.stringify(briefingState(view)) });
    await appendEvent(ctx.knex, { incidentId: incident.id, type: 'briefing.posted', actor: 'copilot', data: { channel: channelId, ts: posted.ts }, dedupeKey: `briefing:${incident.id}` });
    await ctx.queue.enqueue(INVESTIGATE_JOB, { incidentId: incident.id }, { jobId: `investigate-incident-${incident.id}` });
    await ctx.chat.setTopic(channelId, buildTopic(incident)).catch((err) => ctx.logger.warn({ err, incidentId }, 'could not set the channel topic'));
  }
  await inviteResponders(ctx, incident, channelId);
  await postPointer(ctx, incident, channelId);
}

/**
 * The owning team's on-call (primary and secondary, with recorded swaps or PagerDuty's schedule, via the on-call
 * capability's lookup), its Slack user group and the paged service's owners (`services.owners`, user handles from
 * `users`, by slackId or email), as Slack user ids.
 */
export async function responderIds(ctx: AppContext, incident: Incident): Promise<string[]> {
  const file = ctx.config.file;
  const team = incident.team ? file.teams.find((t) => t.name === incident.team) : undefined;
  const ids = new Set<string>();
  if (team?.schedule) {
    const { oncall } = oncallServices(ctx);
    const at = ctx.clock.now();
    for (const which of ['primary', 'secondary'] as const) {
      const who = await oncall.whoIsOnCall(team.schedule, which, at);
      const id = who ? await slackIdOf(file, ctx.chat, who) : undefined;
      if (id) ids.add(id);
    }
  }
  if (team?.slackUserGroup) {
    for (const id of await ctx.chat.listUserGroupMembers(team.slackUserGroup)) ids.add(id);
  }
  const service = incident.service ? file.services.find((s) => s.name === incident.service) : undefined;
  for (const owner of service?.owners ?? []) {
    const id = await slackIdOf(file, ctx.chat, owner);
    if (id) ids.add(id);
    else ctx.logger.warn({ incidentId: incident.id, owner }, 'service owner has no Slack id or email that Slack knows; not invited');
  }
  return [...ids];
}

async function inviteResponders(ctx: AppContext, incident: Incident, channelId: string): Promise<void> {
  const already = await ctx.knex('incident_events').where({ dedupe_key: `invited:${incident.id}` }).first();
  if (already) return;
  const ids = await responderIds(ctx, incident);
  if (ids.length) await ctx.chat.invite(channelId, ids);
  await ctx.knex('incidents').where({ id: incident.id }).update({ responders: JSON.stringify(ids) });
  await appendEvent(ctx.knex, { incidentId: incident.id, type: 'responders.invited', actor: 'copilot', data: { users: ids }, dedupeKey: `invited:${incident.id}` });
}

async function postPointer(ctx: AppContext, incident: Incident, channelId: string): Promise<void> {
  const team = incident.team ? ctx.config.file.teams.find((t) => t.name === incident.team) : undefined;
  if (!team) return;
  const already = await ctx.knex('incident_events').where({ dedupe_key: `pointer:${incident.id}` }).first();
  if (already) return;
  const view = { publicId: incident.publicId, severity: incident.severity, title: incident.title, service: incident.service, channelId };
  const posted = await ctx.chat.postMessage(team.alertsChannel, buildPointerText(view), buildPointerBlocks(view));
  await appendEvent(ctx.knex, { incidentId: incident.id, type: 'pointer.posted', actor: 'copilot', data: { channel: posted.channel, ts: posted.ts }, dedupeKey: `pointer:${incident.id}` });
}

export function openIncidentJob(ctx: AppContext): JobDefinition<z.infer<typeof payloadSchema>> {
  return { name: OPEN_INCIDENT_JOB, schema: payloadSchema, attempts: 10, backoffMs: 500, process: async ({ incidentId }) => openIncidentChannel(ctx, incidentId) };
}
