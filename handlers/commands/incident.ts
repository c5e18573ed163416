// /incident: declare, status, ack, sev, commander, resolve, help (update, catchup, role, timeline and reinvestigate in
// incident-more.ts, split and merge in incident-split-merge.ts). Ack first, parse, call one use case (it authorizes), answer.
import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { HandlerDeps } from '../deps.js';
import type { ModalCommandArgs } from '../listener-args.js';
import { buildDeclareModal, buildResolveModal } from '../../blocks/modals.js';
import { suggestedRootCause } from '../../src/measure/score.js';
import { buildIncidentStatusBlocks } from '../../blocks/oncall.js';
import { CATEGORIES } from '../../src/investigation/evidence-model.js';
import { INCIDENT_USAGE, parseIncidentCommand } from '../../src/oncall/command-parsing.js';
import {
  acknowledgeAs,
  beginResolveAs,
  changeSeverityAs,
  incidentOfChannel,
  incidentStatus,
  setCommander,
} from '../../src/oncall/incident-commands.js';
import { afterAck, answer } from './respond.js';
import { isMoreCommand, runMoreCommand } from './incident-more.js';
import { isSplitMergeCommand, runSplitMergeCommand } from './incident-split-merge.js';
import { errorBudgetView } from '../../src/slo/error-budget.js';

const commandSchema = z.object({
  text: z.string().default(''),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
  trigger_id: z.string().min(1),
});

/** /incident <subcommand>: a bad one gets the usage with why; each subcommand calls one use case (it authorizes). */
export async function handleIncidentCommand(
  deps: HandlerDeps,
  { ack, body, client, respond }: ModalCommandArgs,
): Promise<void> {
  const cmd = commandSchema.safeParse(body);
  const parsed = cmd.success ? parseIncidentCommand(cmd.data.text) : undefined;
  if (!cmd.success || !parsed?.ok) {
    const why = parsed && !parsed.ok ? `${parsed.error}.\n` : '';
    await ack({ response_type: 'ephemeral', text: `${why}${INCIDENT_USAGE}` });
    return;
  }
  const { user_id: user, channel_id: channel, trigger_id: trigger } = cmd.data;
  const c = parsed.command;
  if (c.kind === 'help') {
    await ack({ response_type: 'ephemeral', text: INCIDENT_USAGE });
    return;
  }
  await ack();
  await afterAck(deps, respond, async () => {
    if (isSplitMergeCommand(c)) {
      await runSplitMergeCommand(deps, c, { user, channel }, respond);
      return;
    }
    if (isMoreCommand(c)) {
      await runMoreCommand(deps, c, { user, channel, trigger }, client, respond);
      return;
    }
    switch (c.kind) {
      case 'declare': {
        const services = deps.config.file.services.map((s) => s.name);
        await client.views.open({
          trigger_id: trigger,
          view: buildDeclareModal({ ...(c.title ? { title: c.title } : {}), services, channelId: channel }),
        });
        return;
      }
      case 'resolve': {
        const incident = await beginResolveAs(deps, (await incidentOfChannel(deps, channel)).id, {
          id: user,
          via: 'command',
        });
        await client.views.open({
          trigger_id: trigger,
          view: buildResolveModal({
            incidentId: incident.id,
            publicId: incident.publicId,
            categories: CATEGORIES,
            channelId: channel,
            suggested: suggestedRootCause(incident.investigation),
          }),
        });
        return;
      }
      case 'status': {
        const view = await incidentStatus(deps, channel);
        const blocks =
          view.kind === 'one'
            ? buildIncidentStatusBlocks({
                incident: { ...view.incident, pages: view.pages, budgets: view.budgets.map(errorBudgetView) },
              })
            : buildIncidentStatusBlocks({ open: view.incidents });
        await answer(
          respond,
          view.kind === 'one'
            ? `${view.incident.publicId} is ${view.incident.status}`
            : `${view.incidents.length} open incident(s)`,
          blocks,
        );
        return;
      }
      case 'ack': {
        const incident = await incidentOfChannel(deps, channel);
        const r = await acknowledgeAs(deps, incident.id, { id: user, via: 'command' });
        await answer(
          respond,
          r.applied
            ? `${incident.publicId} acknowledged: paging stopped.`
            : `${incident.publicId} is already ${r.incident.status}.`,
        );
        return;
      }
      case 'sev': {
        const incident = await incidentOfChannel(deps, channel);
        const r = await changeSeverityAs(deps, incident.id, c.severity, { id: user, via: 'command' });
        await answer(
          respond,
          r.changed
            ? `${incident.publicId} is now ${r.to.toUpperCase()} (was ${r.from.toUpperCase()}).`
            : `${incident.publicId} is already ${r.to.toUpperCase()}.`,
        );
        return;
      }
      case 'commander': {
        const incident = await incidentOfChannel(deps, channel);
        await setCommander(deps, incident.id, c.user, { id: user, via: 'command' });
        await answer(respond, `<@${c.user}> is now the commander of ${incident.publicId}.`);
        return;
      }
    }
  });
}

export function registerIncidentCommand(app: App, deps: HandlerDeps): void {
  app.command('/incident', (args) => handleIncidentCommand(deps, args));
}
