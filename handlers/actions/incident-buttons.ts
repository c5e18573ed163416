// Briefing buttons: Acknowledge, Escalate, Resolve (opens the resolve modal) and Show evidence. Ack first, parse,
// call one use case (it authorizes); a refusal or a bad button value goes back to the clicker alone.
import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import { z } from 'zod';
import { ActionIds, actionIdPattern } from '../../blocks/ids.js';
import type { HandlerDeps } from '../deps.js';
import type { ActionArgs, ModalActionArgs } from '../listener-args.js';
import { tellClicker } from './tell-clicker.js';
import { recordClick } from '../../src/incidents/transitions.js';
import { buildResolveModal } from '../../blocks/modals.js';
import { suggestedRootCause } from '../../src/measure/score.js';
import { AppError } from '../../src/errors.js';
import { CATEGORIES } from '../../src/investigation/evidence-model.js';
import { showEvidence } from '../../presenters/slack/show-evidence.js';
import { acknowledgeAs, beginResolveAs, escalateAs } from '../../src/oncall/incident-commands.js';

/** An incident id as a button carries it: a positive integer that fits Postgres's integer. */
export const incidentIdValue = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, 'expected an incident id')
  .transform(Number)
  .refine((n) => n <= 2_147_483_647, 'expected an incident id');

const whoSchema = z.object({
  user: z.object({ id: z.string().min(1) }),
  channel: z.object({ id: z.string().min(1) }).optional(),
});
const clickSchema = whoSchema.extend({
  trigger_id: z.string().optional(),
  actions: z.array(z.object({ action_id: z.string(), value: incidentIdValue, action_ts: z.string() })).min(1),
});

type Click = {
  incidentId: number;
  user: string;
  channel: string | undefined;
  interactionId: string;
  triggerId: string | undefined;
};

/** Parses the click (a value that is not an incident id is answered, never queried) and runs `work`; AppErrors are told. */
async function handle(
  deps: HandlerDeps,
  respond: RespondFn,
  body: unknown,
  work: (click: Click) => Promise<string | undefined>,
): Promise<void> {
  const parsed = clickSchema.safeParse(body);
  if (!parsed.success) {
    const who = whoSchema.safeParse(body);
    deps.logger.warn({ issues: parsed.error.issues.map((i) => i.message) }, 'a briefing button click did not parse');
    if (who.success)
      await tellClicker(
        deps,
        respond,
        { user: who.data.user.id, channel: who.data.channel?.id },
        'That button does not name a valid incident; nothing was done.',
      );
    return;
  }
  const a = parsed.data.actions[0]!;
  const click: Click = {
    incidentId: a.value,
    user: parsed.data.user.id,
    channel: parsed.data.channel?.id,
    interactionId: a.action_ts,
    triggerId: parsed.data.trigger_id,
  };
  try {
    const answer = await work(click);
    if (answer) await tellClicker(deps, respond, click, answer);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    await tellClicker(deps, respond, click, err.message.replace(/ not found$/, ' was not found.'));
  }
}

/** Acknowledge: stops paging; a second acknowledge tells the clicker it already was. */
export async function handleAcknowledgeClick(deps: HandlerDeps, { ack, body, respond }: ActionArgs): Promise<void> {
  await ack();
  await handle(deps, respond, body, async (click) => {
    const r = await acknowledgeAs(deps, click.incidentId, {
      id: click.user,
      via: 'button',
      interactionId: click.interactionId,
    });
    return r.applied ? undefined : `${r.incident.publicId} is already ${r.incident.status}.`;
  });
}

/** Escalate: pages the next step of the escalation policy now. */
export async function handleEscalateClick(deps: HandlerDeps, { ack, body, respond }: ActionArgs): Promise<void> {
  await ack();
  await handle(deps, respond, body, async (click) => {
    const r = await escalateAs(deps, click.incidentId, {
      id: click.user,
      via: 'button',
      interactionId: click.interactionId,
    });
    return r.applied ? 'Escalation requested: the next step of the escalation policy is being paged.' : undefined;
  });
}

/** Resolve: opens the resolve modal for those allowed to resolve. */
export async function handleResolveClick(
  deps: HandlerDeps,
  { ack, body, client, respond }: ModalActionArgs,
): Promise<void> {
  await ack();
  await handle(deps, respond, body, async (click) => {
    const incident = await beginResolveAs(deps, click.incidentId, {
      id: click.user,
      via: 'button',
      interactionId: click.interactionId,
    });
    if (incident.status === 'resolved') return `${incident.publicId} is already resolved.`;
    // The same modal as /incident resolve: its submission resolves (once) with the root cause, authorized again.
    const channelId = incident.channelId ?? click.channel ?? '';
    await client.views.open({
      trigger_id: click.triggerId ?? '',
      view: buildResolveModal({
        incidentId: incident.id,
        publicId: incident.publicId,
        categories: CATEGORIES,
        channelId,
        suggested: suggestedRootCause(incident.investigation),
      }),
    });
    return undefined;
  });
}

/** Show evidence: the investigation's full evidence in the briefing's thread (one copy, kept up to date). */
export async function handleShowEvidenceClick(deps: HandlerDeps, { ack, body, respond }: ActionArgs): Promise<void> {
  await ack();
  await handle(deps, respond, body, async (click) => {
    // Showing evidence changes nothing, so anyone in the channel may; an unknown incident fails before the record.
    await showEvidence(deps, click.incidentId);
    await recordClick(deps, click.incidentId, { id: click.user, via: 'button' }, 'show_evidence', click.interactionId);
    return undefined;
  });
}

/** Registers the incident buttons of the briefing. */
export function registerIncidentButtons(app: App, deps: HandlerDeps): void {
  app.action<BlockAction<ButtonAction>>(actionIdPattern(ActionIds.acknowledge), (args) =>
    handleAcknowledgeClick(deps, args),
  );
  app.action<BlockAction<ButtonAction>>(ActionIds.escalate, (args) => handleEscalateClick(deps, args));
  app.action<BlockAction<ButtonAction>>(ActionIds.resolve, (args) => handleResolveClick(deps, args));
  app.action<BlockAction<ButtonAction>>(ActionIds.showEvidence, (args) => handleShowEvidenceClick(deps, args));
}
