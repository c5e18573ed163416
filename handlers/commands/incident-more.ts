// The /incident subcommands people use while an incident runs: update (a form), catchup, role, timeline and
// reinvestigate. Each reads the channel's incident and calls one use case (which authorizes where it acts).
import type { ModalOpener } from '../listener-args.js';
import type { RespondFn } from '@slack/bolt';
import type { HandlerDeps } from '../deps.js';
import { buildCatchupBlocks, buildCatchupText } from '../../blocks/catchup.js';
import { buildStatusUpdateModal } from '../../blocks/status-update.js';
import { catchupOf } from '../../src/incidents/catchup.js';
import { requestReinvestigation } from '../../src/incidents/reinvestigate.js';
import { assignRoleAs, checkRole, rolesOf } from '../../src/incidents/roles.js';
import { beginStatusUpdateAs } from '../../src/incidents/status-update.js';
import { timelineMarkdown } from '../../src/incidents/timeline-export.js';
import { listTimeline } from '../../src/incidents/timeline-repository.js';
import type { IncidentCommand } from '../../src/oncall/command-parsing.js';
import { incidentOfChannel, setCommander } from '../../src/oncall/incident-commands.js';
import { answer } from './respond.js';

export type MoreCommand = Extract<
  IncidentCommand,
  { kind: 'update' | 'catchup' | 'role' | 'timeline' | 'reinvestigate' }
>;

export function isMoreCommand(c: IncidentCommand): c is MoreCommand {
  return ['update', 'catchup', 'role', 'timeline', 'reinvestigate'].includes(c.kind);
}

export async function runMoreCommand(
  deps: HandlerDeps,
  c: MoreCommand,
  at: { user: string; channel: string; trigger: string },
  client: ModalOpener,
  respond: RespondFn,
): Promise<void> {
  const incident = await incidentOfChannel(deps, at.channel);
  const actor = { id: at.user, via: 'command' };
  switch (c.kind) {
    case 'update': {
      const begun = await beginStatusUpdateAs(deps, incident.id, actor);
      await client.views.open({
        trigger_id: at.trigger,
        view: buildStatusUpdateModal({
          incidentId: incident.id,
          publicId: incident.publicId,
          channelId: at.channel,
          draft: begun.draft,
          nextUpdateMs: begun.nextUpdateMs,
          stakeholderChannel: begun.stakeholderChannel,
        }),
      });
      return;
    }
    case 'catchup': {
      const view = await catchupOf(deps, incident);
      await answer(respond, buildCatchupText(view), buildCatchupBlocks(view));
      return;
    }
    case 'role': {
      const role = checkRole(deps, c.role);
      if (role === 'commander') {
        await setCommander(deps, incident.id, c.user, actor);
        await answer(respond, `<@${c.user}> is now the commander of ${incident.publicId}.`);
        return;
      }
      const r = await assignRoleAs(deps, incident.id, { role, user: c.user }, actor);
      await answer(
        respond,
        r.changed
          ? `<@${c.user}> is now the ${role} of ${incident.publicId}.`
          : `<@${c.user}> is already the ${role} of ${incident.publicId}.`,
      );
      return;
    }
    case 'timeline': {
      const events = await listTimeline(deps.knex, incident.id, 10_000);
      const roles = await rolesOf(deps, incident);
      const markdown = timelineMarkdown(incident, events, roles, deps.clock.now());
      await deps.chat.uploadFile(at.channel, {
        filename: `${incident.publicId.toLowerCase()}-timeline.md`,
        title: `${incident.publicId} timeline`,
        content: Buffer.from(markdown, 'utf8'),
      });
      await answer(respond, `Uploaded the timeline of ${incident.publicId} (${events.length} events) to this channel.`);
      return;
    }
    case 'reinvestigate': {
      const r = await requestReinvestigation(deps, incident, at.user);
      await answer(
        respond,
        r.queued
          ? `Investigating ${incident.publicId} again now; the briefing updates when it finishes.`
          : `${incident.publicId} is already being investigated again (asked within the last minute).`,
      );
      return;
    }
  }
}
