// The postmortem review buttons: Edit (opens the modal on the Markdown), Publish and Discard. Each acks, parses the
// postmortem id from the button and calls one use case; a refusal or a stale click is told to the clicker alone.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import type { HandlerDeps } from '../deps.js';
import type { ActionArgs, ModalActionArgs } from '../listener-args.js';
import { tellClicker } from './tell-clicker.js';
import { ActionIds } from '../../blocks/ids.js';
import { buildPostmortemEditModal } from '../../blocks/postmortem.js';
import { AppError } from '../../src/errors.js';
import { beginEdit, discardPostmortem, requestPublish } from '../../src/postmortems/review.js';

const whoSchema = z.object({
  user: z.object({ id: z.string().min(1) }),
  channel: z.object({ id: z.string().min(1) }).optional(),
  trigger_id: z.string().optional(),
});
const clickSchema = whoSchema.extend({
  actions: z.array(z.object({ value: z.string().regex(/^[1-9]\d{0,9}$/, 'expected a postmortem id') })).min(1),
});

type Click = { user: string; channel: string | undefined; triggerId: string | undefined; postmortemId: number };

/** Parses the click; a malformed one is told to the clicker and changes nothing. Use-case errors go to the clicker. */
async function handle(
  deps: HandlerDeps,
  respond: ActionArgs['respond'],
  body: unknown,
  run: (click: Click) => Promise<string | undefined>,
): Promise<void> {
  const parsed = clickSchema.safeParse(body);
  if (!parsed.success) {
    const who = whoSchema.safeParse(body);
    if (who.success)
      await tellClicker(
        deps,
        respond,
        { user: who.data.user.id, channel: who.data.channel?.id },
        'That button does not name a postmortem; nothing was done.',
      );
    return;
  }
  const click: Click = {
    user: parsed.data.user.id,
    channel: parsed.data.channel?.id,
    triggerId: parsed.data.trigger_id,
    postmortemId: Number(parsed.data.actions[0]!.value),
  };
  try {
    const message = await run(click);
    if (message) await tellClicker(deps, respond, { user: click.user, channel: click.channel }, message);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    await tellClicker(deps, respond, { user: click.user, channel: click.channel }, err.message);
  }
}

/** A review button that moves the draft on (Publish, Discard): the clicker is told what happened. */
function reviewClick(move: typeof requestPublish) {
  return async (deps: HandlerDeps, { ack, body, respond }: ActionArgs): Promise<void> => {
    await ack();
    await handle(
      deps,
      respond,
      body,
      async (c) => (await move(deps, c.postmortemId, { id: c.user, via: 'button' })).message,
    );
  };
}

export const handlePublishPostmortemClick = reviewClick(requestPublish);
export const handleDiscardPostmortemClick = reviewClick(discardPostmortem);

export async function handleEditPostmortemClick(
  deps: HandlerDeps,
  { ack, body, client, respond }: ModalActionArgs,
): Promise<void> {
  await ack();
  await handle(deps, respond, body, async (c) => {
    const { pm, incident } = await beginEdit(deps, c.postmortemId, { id: c.user, via: 'button' });
    await client.views.open({
      trigger_id: c.triggerId ?? '',
      view: buildPostmortemEditModal({
        postmortemId: pm.id,
        publicId: incident.publicId,
        version: pm.version,
        markdown: pm.markdown,
        channelId: pm.channelId ?? incident.channelId ?? c.channel ?? '',
      }),
    });
    return undefined;
  });
}

export function registerPostmortemActions(app: App, deps: HandlerDeps): void {
  app.action<BlockAction<ButtonAction>>(ActionIds.publishPostmortem, (args) =>
    handlePublishPostmortemClick(deps, args),
  );
  app.action<BlockAction<ButtonAction>>(ActionIds.discardPostmortem, (args) =>
    handleDiscardPostmortemClick(deps, args),
  );
  app.action<BlockAction<ButtonAction>>(ActionIds.editPostmortem, (args) => handleEditPostmortemClick(deps, args));
}
