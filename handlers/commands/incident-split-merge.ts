// /incident split <service> and /incident merge INC-N: read the channel's incident, call the use case (it
// authorizes: split_incident, merge_incident), answer the person who typed.
import type { RespondFn } from '@slack/bolt';
import type { HandlerDeps } from '../deps.js';
import type { IncidentCommand } from '../../src/oncall/command-parsing.js';
import { incidentOfChannel } from '../../src/oncall/incident-commands.js';
import { mergeIncidentAs, splitIncidentAs } from '../../src/incidents/split-merge.js';
import { escapeMrkdwn } from '../../blocks/limits.js';
import { answer } from './respond.js';

export type SplitMergeCommand = Extract<IncidentCommand, { kind: 'split' | 'merge' }>;

export function isSplitMergeCommand(c: IncidentCommand): c is SplitMergeCommand {
  return c.kind === 'split' || c.kind === 'merge';
}

export async function runSplitMergeCommand(
  deps: HandlerDeps,
  c: SplitMergeCommand,
  at: { user: string; channel: string },
  respond: RespondFn,
): Promise<void> {
  const incident = await incidentOfChannel(deps, at.channel);
  const actor = { id: at.user, via: 'command' };
  if (c.kind === 'split') {
    const r = await splitIncidentAs(deps, incident.id, c.service, actor);
    const service = `\`${escapeMrkdwn(c.service)}\``;
    await answer(
      respond,
      r.applied
        ? `Split ${service} out of ${r.from} into ${r.to} (${r.alerts} alert(s)); ${r.to} opens its own channel and pages on its own.`
        : `${service} was already split out of ${r.from} into ${r.to}.`,
    );
    return;
  }
  const r = await mergeIncidentAs(deps, incident.id, c.publicId, actor);
  await answer(
    respond,
    r.applied
      ? `Merged ${r.from} into ${r.into} (${r.alerts} alert(s), its timeline and pages); ${r.from} is closed and its paging stopped.`
      : `${r.from} was already merged into ${r.into}.`,
  );
}
