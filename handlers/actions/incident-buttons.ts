// Briefing buttons: Acknowledge, Escalate, Resolve (opens the resolve modal) and Show evidence. Ack first, then act.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import { ActionIds } from '../../blocks/ids.js';
import type { HandlerDeps } from '../deps.js';
import { acknowledgeIncident, recordClick, requestEscalation } from '../../src/incidents/transitions.js';
import { findIncident } from '../../src/incidents/repository.js';
import { buildResolveModal } from '../../blocks/modals.js';
import { NotFoundError } from '../../src/errors.js';
import { CATEGORIES } from '../../src/investigation/scenario.js';
import { showEvidence } from '../../src/incidents/show-evidence.js';

const clickSchema = z.object({
  user: z.object({ id: z.string().min(1) }),
  channel: z.object({ id: z.string().min(1) }).optional(),
  actions: z
    .array(z.object({ action_id: z.string(), value: z.string().regex(/^[1-9]\d{0,9}$/, 'expected an incident id'), action_ts: z.string() }))
    .min(1),
});

type Click = { incidentId: number; user: string; channel: string | undefined; interactionId: string };

function parseClick(body: unknown): Click {
  const b = clickSchema.parse(body);
  const a = b.actions[0]!;
  return { incidentId: Number(a.value), user: b.user.id, channel: b.channel?.id, interactionId: a.action_ts };
}

async function tell(deps: HandlerDeps, click: Click, text: string): Promise<void> {
  if (!click.channel) return;
  await deps.chat.postEphemeral(click.channel, click.user, text).catch((err) => deps.logger.warn({ err }, 'could not answer a click'));
}

/** Registers the incident buttons of the briefing. */
export function registerIncidentButtons(app: App, deps: HandlerDeps): void {
  app.action<BlockAction<ButtonAction>>(ActionIds.acknowledge, async ({ ack, body }) => {
    await ack();
    const click = parseClick(body);
    const actor = { id: click.user, via: 'button' };
    await recordClick(deps, click.incidentId, actor, 'acknowledge', click.interactionId);
    const r = await acknowledgeIncident(deps, click.incidentId, actor);
    if (!r.applied) await tell(deps, click, `${r.incident.publicId} is already ${r.incident.status}.`);
  });

  app.action<BlockAction<ButtonAction>>(ActionIds.escalate, async ({ ack, body }) => {
    await ack();
    const click = parseClick(body);
    const actor = { id: click.user, via: 'button' };
    await recordClick(deps, click.incidentId, actor, 'escalate', click.interactionId);
    const r = await requestEscalation(deps, click.incidentId, actor, click.interactionId);
    if (r.applied) await tell(deps, click, 'Escalation requested: the next step of the escalation policy is being paged.');
  });

  app.action<BlockAction<ButtonAction>>(ActionIds.resolve, async ({ ack, body, client }) => {
    await ack();
    const click = parseClick(body);
    const trigger = z.object({ trigger_id: z.string().min(1) }).parse(body).trigger_id;
    await recordClick(deps, click.incidentId, { id: click.user, via: 'button' }, 'resolve', click.interactionId);
    const incident = await findIncident(deps.knex, click.incidentId);
    if (!incident) throw new NotFoundError(`Incident ${click.incidentId}`);
    if (incident.status === 'resolved') {
      await tell(deps, click, `${incident.publicId} is already resolved.`);
      return;
    }
    // The same modal as /incident resolve: its submission resolves (once) with the root cause.
    const channelId = incident.channelId ?? click.channel ?? '';
    await client.views.open({
      trigger_id: trigger,
      view: buildResolveModal({ incidentId: incident.id, publicId: incident.publicId, categories: CATEGORIES, channelId }) as never,
    });
  });

  app.action<BlockAction<ButtonAction>>(ActionIds.showEvidence, async ({ ack, body }) => {
    await ack();
    const click = parseClick(body);
    await recordClick(deps, click.incidentId, { id: click.user, via: 'button' }, 'show_evidence', click.interactionId);
    await showEvidence(deps, click.incidentId);
  });
}
